"""A submission killed while it stores its files leaves only staging files; `onboard sweep` deals with them.

Killed before its rows commit: the staged files belong to nothing and go once they are an hour old (a fresh
one may be a submission still running). Killed after the commit, before the move: the row needs its file,
so the sweep moves it into place instead.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.applications import valid_application
from tests.support.cli_process import CliRun, refusal_environment, run_onboard_with_env
from tests.support.image_bytes import clean_png

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


def _killed_submission(tmp_path: Path, home: Path, point: str) -> None:
    app = tmp_path / "application.json"
    app.write_text(json.dumps(valid_application(), ensure_ascii=False), encoding="utf-8")
    photo = tmp_path / "shop.png"
    photo.write_bytes(clean_png(seed=7))
    done = subprocess.run([sys.executable, "-m", "tests.support.crashing_cli", point, "1", "--", "submit", str(app),
                           "--doc", f"storefront_photo={photo}", "--json"],
                          env=refusal_environment(home), cwd=REPO, capture_output=True, text=True, timeout=180)
    assert done.returncode == -9, done.stderr[-500:]


def _files(home: Path) -> tuple[list[Path], list[Path]]:
    """(staged, stored) document files."""
    root = home / "documents"
    every = [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
    return [p for p in every if ".staging" in p.parts], [p for p in every if ".staging" not in p.parts]


def _sweep(home: Path, tmp_path: Path) -> dict:
    run: CliRun = run_onboard_with_env(refusal_environment(home), "sweep", "--json", cwd=tmp_path)
    assert run.exit_code == 0, run.stderr[-800:]
    return run.json()["staging"]


def _age(path: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_files_of_a_submission_killed_before_its_rows_commit_are_swept_after_an_hour(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _killed_submission(tmp_path, home, "after-files-staged")
    staged, stored = _files(home)
    assert len(staged) == 1 and stored == []  # nothing under a document's name, no row to point at it
    assert run_onboard_with_env(refusal_environment(home), "status", "--json", cwd=tmp_path).json() == []

    assert _sweep(home, tmp_path) == {"removed": 0, "recovered": 0}  # fresh: maybe a submission still running
    assert _files(home)[0] == staged

    _age(staged[0], 1.5)
    assert _sweep(home, tmp_path) == {"removed": 1, "recovered": 0}
    assert _files(home) == ([], [])


def test_a_file_whose_row_committed_before_the_kill_is_moved_into_place_not_removed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _killed_submission(tmp_path, home, "before-files-published")
    staged, stored = _files(home)
    assert len(staged) == 1 and stored == []
    _age(staged[0], 2)
    assert _sweep(home, tmp_path) == {"removed": 0, "recovered": 1}
    staged_after, stored_after = _files(home)
    assert staged_after == [] and [p.name for p in stored_after] == [staged[0].name.split(".")[0]]
