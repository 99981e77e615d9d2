"""The embedded default's Prefect API server: started by us, stopped with us, never left behind.

That a normal exit stops it is asserted by the demo's end-to-end test (tests/e2e/test_embedded_default.py)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from onboarding import orchestrator
from tests.support.cli_process import base_environment
from tests.support.processes import alive

REPO = Path(__file__).resolve().parents[3]

OWNER = """
import json, sys, time
from pathlib import Path
from onboarding import orchestrator
server = orchestrator.start_embedded(Path(sys.argv[1]))
server.wait_ready()
print(json.dumps({"api_url": server.api_url, "pid": server.pid, "prefect_imported": "prefect" in sys.modules}),
      flush=True)
time.sleep(600)
"""


def _owner(home: Path) -> subprocess.Popen:
    env = {name: value for name, value in base_environment().items() if not name.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false", PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-c", OWNER, str(home)], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _gone(pid: int, within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.2)
    return False


def _answers(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.mark.e2e
def test_the_server_answers_without_prefect_in_the_owner_and_stops_when_the_owner_is_killed(tmp_path):
    owner = _owner(tmp_path)
    try:
        started = json.loads(owner.stdout.readline() or "null") or pytest.fail(owner.stderr.read()[-3000:])
        assert _answers(started["api_url"])
        assert started["prefect_imported"] is False  # the client never imported Prefect's server app
        owner.send_signal(signal.SIGKILL)  # no atexit: only the pipe tells the server
        owner.wait(timeout=10)
        assert _gone(started["pid"], within_s=30), "Prefect's API server outlived the process that started it"
        assert not _answers(started["api_url"])
    finally:
        owner.kill()


@pytest.fixture
def environment_restored():
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_a_server_given_in_the_environment_is_used_instead(tmp_path, environment_restored):
    os.environ["PREFECT_API_URL"] = "http://prefect.internal:4200/api"
    assert orchestrator.start_embedded(tmp_path) is None
    assert orchestrator.running() is None


def test_a_detached_command_does_not_inherit_a_server_that_stops_with_us(tmp_path, environment_restored,
                                                                          monkeypatch):
    embedded = orchestrator.EmbeddedOrchestrator(tmp_path / "server.log", startup_timeout_s=1)
    embedded.port = 4321
    monkeypatch.setattr(orchestrator, "_running", embedded)
    os.environ["PREFECT_API_URL"] = embedded.api_url
    assert "PREFECT_API_URL" not in orchestrator.environment_for_children()
    os.environ["PREFECT_API_URL"] = "http://prefect.internal:4200/api"  # someone else's: children keep it
    assert orchestrator.environment_for_children()["PREFECT_API_URL"] == "http://prefect.internal:4200/api"


@pytest.mark.e2e
def test_a_server_that_cannot_start_is_reported_with_its_log(tmp_path, monkeypatch):
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    monkeypatch.setenv("PREFECT_API_DATABASE_CONNECTION_URL",
                       f"sqlite+aiosqlite:///{tmp_path}/no/such/folder/prefect.db")
    embedded = orchestrator.EmbeddedOrchestrator(tmp_path / "logs" / "prefect-server.log", startup_timeout_s=120)
    embedded.start()
    try:
        with pytest.raises(orchestrator.OrchestratorDidNotStart, match="exited") as refused:
            embedded.wait_ready()
    finally:
        embedded.stop()
    assert "unable to open database file" in str(refused.value)


@pytest.mark.e2e
def test_a_server_that_died_is_started_again_at_the_same_address(tmp_path, monkeypatch):
    # A long-lived portal keeps its Prefect client's address: a crashed server must come back behind it.
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    monkeypatch.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    embedded = orchestrator.EmbeddedOrchestrator(tmp_path / "logs" / "prefect-server.log", startup_timeout_s=120)
    embedded.start()
    try:
        embedded.wait_ready()
        address, first = embedded.api_url, embedded.pid
        os.kill(first, signal.SIGKILL)
        assert _gone(first, within_s=10)
        embedded.wait_ready()
        assert embedded.api_url == address and embedded.pid != first
        assert _answers(address)
    finally:
        embedded.stop()


@pytest.mark.e2e
def test_servers_started_together_on_a_new_installation_all_answer(tmp_path, monkeypatch):
    # Commands started at the same moment (a batch and a few submissions on a new machine) each start a server
    # on the same, not yet migrated, Prefect database.
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    monkeypatch.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    servers = [orchestrator.EmbeddedOrchestrator(tmp_path / "logs" / f"server-{n}.log", startup_timeout_s=120)
               for n in range(3)]
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        assert all(_answers(server.api_url) for server in servers)
    finally:
        for server in servers:
            server.stop()
