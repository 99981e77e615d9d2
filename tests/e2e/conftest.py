"""Driving the real `onboard` command in a subprocess, against the session's Prefect server."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


@pytest.fixture
def onboard(onboard_home: Path, prefect_api_url: str, tmp_path: Path):
    env = {**os.environ, "ONBOARD_HOME": str(onboard_home), "PREFECT_API_URL": prefect_api_url,
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "OMP_THREAD_LIMIT": "1"}

    def run(*args: str, timeout: float = 300, settings: dict[str, str] | None = None) -> CliResult:
        done = subprocess.run([sys.executable, "-m", "onboarding.cli.main", *args], env={**env, **(settings or {})},
                              cwd=tmp_path,
                              capture_output=True, text=True, timeout=timeout)
        return CliResult(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def write_sample(tmp_path: Path):
    """Writes a sample application's JSON and documents to files, as a merchant or staff would have them."""
    from documents.samples.applications import sample_application

    def write(seed: int, merchant_type: str, scenario: str = "complete"):
        sample = sample_application(seed, merchant_type, scenario)
        folder = tmp_path / f"sample-{seed}"
        folder.mkdir()
        (folder / "application.json").write_text(json.dumps(sample.payload, ensure_ascii=False), encoding="utf-8")
        docs = {}
        for document_type, data in sample.documents.items():
            path = folder / f"{document_type}.jpg"
            path.write_bytes(data)
            docs[document_type] = path
        return folder / "application.json", docs, sample

    return write


def doc_args(docs: dict) -> list[str]:
    return [arg for t, p in docs.items() for arg in ("--doc", f"{t}={p}")]
