"""Stalled runs on the embedded default: an undecided application whose run's process died is `stalled` in
`status` at once, and `rerun --failed` takes it and says what it leaves alone and why. Real files, real
processes, a real SQLite database; no orchestrator needed (nothing is rerun here)."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.support.installation import database_path, seed_one_application, services_for


def hold_claim(home: Path, application_id: str) -> subprocess.Popen:
    """A process running the application's checks, as far as anyone can see: it holds the run's claim."""
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from onboarding.adapters.run_claims import RunClaims
        with RunClaims(Path({str(home / "run" / "active")!r})).hold([{application_id!r}]):
            print("held", flush=True)
            sys.stdin.read()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def set_checking_since(home: Path, application_id: str, minutes_ago: float) -> None:
    since = datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)
    with sqlite3.connect(database_path(home)) as db:
        db.execute("UPDATE applications SET state = 'checking', state_changed_at = ? WHERE id = ?",
                   (since.strftime("%Y-%m-%d %H:%M:%S.%f"), application_id))


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


def test_a_run_whose_process_died_is_stalled_at_once_and_a_live_one_is_running(home):
    from onboarding.service.run_activity import failed_run_plan
    from onboarding.service.views import status_rows

    live, dead = seed_one_application(home), seed_one_application(home)
    for application_id in (live, dead):
        set_checking_since(home, application_id, minutes_ago=1)  # well inside the 5-minute grace
    holder, doomed = hold_claim(home, live), hold_claim(home, dead)
    try:
        doomed.kill()  # kill -9 mid-run: the kernel drops its claim
        doomed.wait()
        services = services_for(home)

        rows = {row["application_id"]: row for row in status_rows(services)}
        plan = failed_run_plan(services, timedelta(minutes=5))
    finally:
        holder.kill()
        holder.wait()

    assert rows[live]["run"] == "running" and rows[live]["blocker"] == "checks running"
    assert rows[dead]["run"] == "stalled"
    assert rows[dead]["blocker"].startswith("stalled 60 s") or rows[dead]["blocker"].startswith("stalled 1 min")
    assert plan.targets == [dead]
    assert plan.skipped == {live: "its checks are running in a live process"}


def test_rerun_failed_says_what_it_skipped_and_why(home, tmp_path):
    application_id = seed_one_application(home)
    set_checking_since(home, application_id, minutes_ago=30)  # past the grace: taken today, though it runs
    holder = hold_claim(home, application_id)
    env = {**os.environ, "ONBOARD_HOME": str(home)}
    env.pop("ONBOARD_DATABASE_URL", None)
    try:
        rerun = subprocess.run([sys.executable, "-m", "onboarding.cli.main", "rerun", "--failed", "--json"],
                               env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    finally:
        holder.kill()
        holder.wait()

    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.strip() == "[]"
    assert f"skipped {application_id}: its checks are running in a live process" in rerun.stderr
