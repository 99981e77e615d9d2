"""Scale-out, for real: a Prefect server on PostgreSQL, deployments from prefect.yaml, two process workers,
our database on PostgreSQL, and applications submitted through the CLI pointed at that server."""
from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from tests.e2e.conftest import doc_args

REPO = Path(__file__).resolve().parents[3]
POSTGRES_URL = os.environ.get("ONBOARD_TEST_POSTGRES_URL")
BIN = Path(sys.executable).parent

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not POSTGRES_URL, reason="ONBOARD_TEST_POSTGRES_URL is not set")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Processes:
    def __init__(self, log_dir: Path) -> None:
        self.log_dir, self.started = log_dir, []

    def start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "wb")
        process = subprocess.Popen(args, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.started):
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for process in self.started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def prefect_database():
    """A database of its own for the Prefect server, dropped afterwards."""
    name = f"prefect_{secrets.token_hex(5)}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(POSTGRES_URL).set(drivername="postgresql+asyncpg", database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def our_database():
    from tests.conftest import _postgres_schema_url

    url, drop = _postgres_schema_url(POSTGRES_URL)
    yield url
    drop()


def wait_until(check, timeout: float, what: str, every: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def test_two_workers_finish_every_application_once(tmp_path, prefect_database, our_database, write_sample):
    processes = Processes(tmp_path)
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    base_env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"),
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_UI_ENABLED": "false",
                "PREFECT_LOGGING_LEVEL": "INFO", "OMP_THREAD_LIMIT": "1"}
    server_env = {**base_env, "PREFECT_API_DATABASE_CONNECTION_URL": prefect_database}
    client_env = {**base_env, "PREFECT_API_URL": api_url, "ONBOARD_DATABASE_URL": our_database,
                  "ONBOARD_HOME": str(tmp_path / "onboard-home"),
                  "ONBOARD_PREFECT_DEPLOYMENT": "onboard-application/onboard"}
    try:
        processes.start("server", [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
                                   "--port", str(port)], server_env)
        wait_until(lambda: _healthy(api_url), 120, "the Prefect server")

        def prefect(*args: str) -> None:
            done = subprocess.run([str(BIN / "prefect"), *args], env=client_env, cwd=REPO, capture_output=True,
                                  text=True, timeout=180)
            assert done.returncode == 0, done.stdout + done.stderr

        prefect("work-pool", "create", "onboarding", "--type", "process")
        prefect("--no-prompt", "deploy", "--all")
        for n in (1, 2):
            processes.start(f"worker-{n}", [str(BIN / "prefect"), "worker", "start", "--pool", "onboarding",
                                            "--name", f"worker-{n}", "--limit", "1"], client_env)

        submitted = []
        for seed, merchant_type in [(41, "small_micro"), (42, "sole_trader"), (43, "small_micro"),
                                    (44, "sole_trader")]:
            app_file, docs, _ = write_sample(seed, merchant_type)
            done = subprocess.run([sys.executable, "-m", "onboarding.cli.main", "submit", str(app_file),
                                   *doc_args(docs), "--json"], env=client_env, cwd=tmp_path,
                                  capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
            submitted.append(json.loads(done.stdout)["application_id"])

        def decided():
            done = subprocess.run([sys.executable, "-m", "onboarding.cli.main", "status", "--json"],
                                  env=client_env, capture_output=True, text=True, timeout=60)
            rows = {r["application_id"]: r["state"] for r in json.loads(done.stdout)}
            pending = [a for a in submitted if rows.get(a) in (None, "submitted", "checking")]
            return rows if not pending else None

        states = wait_until(decided, 420, "every application to be decided", every=3)
        assert set(states.values()) <= {"approved", "needs_documents", "manual_review"}

        def all_completed():
            runs = _flow_runs(api_url)
            by_app = {a: [r for r in runs if r["name"] == f"onboard-{a}"] for a in submitted}
            done = all(len(r) == 1 and r[0]["state_type"] == "COMPLETED" for r in by_app.values())
            return by_app if done else None

        by_app = wait_until(all_completed, 120, "every flow run to complete (one per application)", every=2)
        # One run at a time per worker (--limit 1), so four runs must have been shared out. Both workers may
        # offer to take the same run ("submitting flow run …"); only the one whose claim won starts it, and a
        # process worker echoes its run's own log, where the run already has its onboard-APP-… name.
        onboarding_runs = {r["name"] for rs in by_app.values() for r in rs}
        ran = {n: onboarding_runs & set(re.findall(r"Beginning flow run '([^']+)'",
                                                   (tmp_path / f"worker-{n}.log").read_text()))
               for n in (1, 2)}
        assert ran[1] | ran[2] == onboarding_runs and ran[1] and ran[2] and not ran[1] & ran[2], ran

        # Prefect's own retry of a finished run goes through the worker again and repeats nothing.
        retried = submitted[0]
        prefect("flow-run", "retry", f"onboard-{retried}")
        wait_until(lambda: _run_count(api_url, f"onboard-{retried}") >= 2, 240, "the retried run to finish", every=2)
        _assert_nothing_done_twice(our_database, submitted)
    finally:
        processes.stop_all()


def _healthy(api_url: str) -> bool:
    try:
        return httpx.get(f"{api_url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _flow_runs(api_url: str) -> list[dict]:
    response = httpx.post(f"{api_url}/flow_runs/filter", json={"limit": 200}, timeout=10)
    response.raise_for_status()
    return [{"id": r["id"], "name": r["name"], "state_type": r["state_type"]} for r in response.json()]


def _run_count(api_url: str, name: str) -> int:
    """How often the run has completed (Prefect counts each run of the same flow run)."""
    response = httpx.post(f"{api_url}/flow_runs/filter", json={"flow_runs": {"name": {"any_": [name]}}}, timeout=10)
    response.raise_for_status()
    [run] = response.json()
    return run["run_count"] if run["state_type"] == "COMPLETED" else 0


def _assert_nothing_done_twice(database_url: str, application_ids: list[str]) -> None:
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        for table, column in [("decisions", "application_id"), ("outbox", "application_id")]:
            rows = connection.execute(sa.text(
                f"SELECT {column}, count(*) FROM {table} GROUP BY {column}")).all()
            counts = dict(rows)
            assert set(counts) == set(application_ids), (table, counts)
        decisions = dict(connection.execute(sa.text(
            "SELECT application_id, count(*) FROM decisions GROUP BY application_id")).all())
        assert all(n == 1 for n in decisions.values()), decisions
        keys = connection.execute(sa.text(
            "SELECT idempotency_key, count(*) FROM outbox GROUP BY idempotency_key HAVING count(*) > 1")).all()
        assert keys == []
        transitions = connection.execute(sa.text(
            "SELECT application_id, to_state, count(*) FROM audit_events WHERE action = 'transition' "
            "GROUP BY application_id, to_state HAVING count(*) > 1")).all()
        assert transitions == []
    engine.dispose()
