"""SIGKILL the worker at random points, rerun, and compare with runs nobody interrupted.

After every crash and `onboard rerun --failed`, each application must end exactly where an uninterrupted
run of the same documents ends: same state and findings, every message sent once, every document kept.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from documents.samples.applications import sample_application
from tests.support.crashing_cli import POINTS

CRASH_RUNS = int(os.environ.get("ONBOARD_CRASH_RUNS", "30"))
FLOW_POINTS = [p for p in POINTS if not p.startswith("during-refund")]
SAMPLES = [(61, "small_micro", "complete"), (62, "sole_trader", "expired_id"), (63, "small_micro", "missing_back")]


def onboard(env: dict, *args: str, crash: tuple[str, int] | None = None) -> subprocess.CompletedProcess:
    prefix = ["-m", "tests.support.crashing_cli", crash[0], str(crash[1]), "--"] if crash else \
        ["-m", "onboarding.cli.main"]
    return subprocess.run([sys.executable, *prefix, *args], env=env, capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parents[2])


def write_sample(folder: Path, seed: int, merchant_type: str, scenario: str) -> list[str]:
    sample = sample_application(seed, merchant_type, scenario)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "application.json").write_text(json.dumps(sample.payload, ensure_ascii=False), encoding="utf-8")
    args = [str(folder / "application.json")]
    for document_type, data in sample.documents.items():
        (folder / f"{document_type}.jpg").write_bytes(data)
        args += ["--doc", f"{document_type}={folder / f'{document_type}.jpg'}"]
    return args


def outcome(env: dict, application_id: str, home: Path) -> dict:
    view = json.loads(onboard(env, "show", application_id, "--json").stdout)
    engine = sa.create_engine(f"sqlite:///{home / 'onboard.db'}")
    with engine.connect() as connection:
        messages = connection.execute(sa.text(
            "SELECT idempotency_key, sent_at IS NOT NULL FROM outbox WHERE application_id = :a"),
            {"a": application_id}).all()
    engine.dispose()
    return {
        "state": view["state"],
        "codes": sorted((d["code"], d["document_type"]) for d in view["deficiencies"]),
        "messages": sorted((key.split(":", 1)[1], bool(sent)) for key, sent in messages),
        "documents": sorted((d["document_type"], d["sha256"]) for d in view["documents"] if d["current"]),
    }


@pytest.fixture
def envs(tmp_path, prefect_api_url):
    def env(name: str) -> tuple[dict, Path]:
        home = tmp_path / name
        return {**os.environ, "ONBOARD_HOME": str(home), "PREFECT_API_URL": prefect_api_url,
                "ONBOARD_OUTBOX_LEASE_SECONDS": "1", "OMP_THREAD_LIMIT": "1"}, home

    return env


def test_killed_runs_finish_as_if_never_interrupted(tmp_path, envs):
    # One installation for both: the uninterrupted runs fill the OCR cache the crashing runs then reuse.
    calm_env, calm_home = envs("home")
    crash_env, crash_home = calm_env, calm_home
    sample_args = {s: write_sample(tmp_path / f"sample-{s[0]}", *s) for s in SAMPLES}

    expected, uninterrupted = {}, set()
    for sample, args in sample_args.items():
        done = onboard(calm_env, "submit", *args, "--wait", "--json")
        assert done.returncode == 0, done.stderr
        uninterrupted.add(json.loads(done.stdout)["application_id"])
        expected[sample] = outcome(calm_env, json.loads(done.stdout)["application_id"], calm_home)

    killed, plan = 0, []
    for run in range(CRASH_RUNS):
        rng = random.Random(run)
        sample = SAMPLES[run % len(SAMPLES)]
        point = rng.choice(FLOW_POINTS)
        done = onboard(crash_env, "submit", *sample_args[sample], "--wait", "--json", crash=(point, rng.randint(1, 3)))
        killed += done.returncode == -9
        plan.append((run, sample, point, done.returncode))
        assert done.returncode in (0, -9), done.stderr[-2000:]
    assert killed >= CRASH_RUNS * 2 // 3, plan

    time.sleep(1.2)  # let the claims of killed senders lapse (lease 1 s in this test)
    rerun = onboard(crash_env, "rerun", "--failed", "--grace-minutes", "0", "--json")
    assert rerun.returncode == 0, rerun.stderr

    rows = [r for r in json.loads(onboard(crash_env, "status", "--json").stdout)
            if r["application_id"] not in uninterrupted]
    by_sample: dict = {}
    engine = sa.create_engine(f"sqlite:///{crash_home / 'onboard.db'}")
    with engine.connect() as connection:
        for row in rows:
            email = connection.execute(sa.text("SELECT email FROM applications WHERE id = :a"),
                                       {"a": row["application_id"]}).scalar_one()
            by_sample.setdefault(email, []).append(row["application_id"])
    engine.dispose()
    assert len(rows) == CRASH_RUNS  # every crash point comes after the submission committed: none lost

    for sample in SAMPLES:
        email = f"merchant{sample[0]}@example.com"
        for application_id in by_sample[email]:
            assert outcome(crash_env, application_id, crash_home) == expected[sample], (application_id, plan)

    files = Counter(p.name for p in (crash_home / "outbox").rglob("*.json"))
    assert all(n == 1 for n in files.values())
    blobs = [p for p in (crash_home / "documents").rglob("*") if p.is_file()]
    assert all(hashlib.sha256(p.read_bytes()).hexdigest() == p.name for p in blobs)
    print(f"crash runs: {CRASH_RUNS}, killed: {killed}, points: {Counter(p for _, _, p, c in plan if c == -9)}")
