"""`onboard serve` as staff run it: one supervisor on a home, commands handing their runs to it, its runner
killed mid-OCR and restarted, a second serve refused, SIGTERM leaving no process behind.

One serve for the module (Prefect's server takes seconds to start); the tests run in file order and the last
one stops it.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import doc_args
from tests.e2e.serve_process import Serve, free_port
from tests.support.processes import alive, descendants

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def serve(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("serve")
    running = Serve(workdir / "home", workdir)
    yield running
    running.stop()


@pytest.fixture
def write_app(serve):
    from documents.samples.applications import sample_application

    def write(seed: int, merchant_type: str, scenario: str) -> list[str]:
        sample = sample_application(seed, merchant_type, scenario)
        folder = serve.workdir / f"sample-{seed}"
        folder.mkdir()
        (folder / "application.json").write_text(json.dumps(sample.payload, ensure_ascii=False), encoding="utf-8")
        docs = {}
        for document_type, data in sample.documents.items():
            docs[document_type] = folder / f"{document_type}.jpg"
            docs[document_type].write_bytes(data)
        return [str(folder / "application.json"), *doc_args(docs)]

    return write


def application_state(home: Path, application_id: str) -> str | None:
    import sqlite3

    with sqlite3.connect(f"file:{home / 'onboard.db'}?mode=ro", uri=True, timeout=30) as db:
        row = db.execute("SELECT state FROM applications WHERE id = ?", (application_id,)).fetchone()
    return row and row[0]


def messages_of(home: Path, application_id: str) -> list[str]:
    return sorted(p.name for p in (home / "outbox").rglob(f"{application_id}*.json"))


def test_serve_prints_its_endpoints_and_each_answers(serve):
    assert set(serve.endpoints) == {"portal", "backoffice", "prefect"}
    assert serve.endpoints["portal"] == f"http://127.0.0.1:{serve.ports['portal']}"
    with urllib.request.urlopen(f"{serve.endpoints['prefect']}/api/health", timeout=10) as health:
        assert json.load(health) is True
    with urllib.request.urlopen(serve.endpoints["prefect"], timeout=10) as ui:  # Prefect's UI, for staff
        assert "<html" in ui.read().decode().lower()
    with urllib.request.urlopen(f"{serve.endpoints['backoffice']}/login", timeout=10) as login:
        assert login.status == 200


def test_a_second_serve_on_the_same_home_refuses_naming_the_first(serve):
    second = serve.onboard("serve", "--portal-port", str(free_port()), "--backoffice-port", str(free_port()),
                           "--prefect-port", str(free_port()), timeout=120)

    assert second.returncode == 2
    assert f"pid {serve.process.pid}" in second.stderr
    assert serve.endpoints["portal"] in second.stderr and serve.endpoints["prefect"] in second.stderr


def test_submit_wait_hands_the_application_to_the_serve(serve, write_app):
    submitted = serve.onboard("submit", *write_app(31, "small_micro", "missing_back"), "--wait", "--json")

    assert submitted.returncode == 0, submitted.stderr
    view = json.loads(submitted.stdout)
    assert view["state"] == "needs_documents"
    assert view["request"]["url"].startswith(serve.endpoints["portal"] + "/r/")  # links point at the real portal
    assert f"{view['application_id']} submitted" in submitted.stderr  # the id, before the wait
    # Run by the serve's runner: the command started no Prefect server of its own.
    assert not (serve.home / "logs" / "prefect-server.log").exists()
    assert messages_of(serve.home, view["application_id"]) == [
        f"{view['application_id']}_request-1_email.json", f"{view['application_id']}_request-1_sms.json"]
    # Prefect's UI: the application's own flow run, with our line about its decision in its logs.
    (run,) = flow_runs(serve, f"onboard-{view['application_id']}")
    deadline = time.monotonic() + 60  # logs reach the server in batches
    while not any(f"{view['application_id']}: needs_documents" in line for line in run_logs(serve, run["id"])):
        assert time.monotonic() < deadline, run_logs(serve, run["id"])
        time.sleep(1)


def test_a_batch_handed_to_the_serve_is_found_in_prefect_by_any_of_its_application_ids(serve, write_app):
    folder = serve.workdir / "batch"
    folder.mkdir()
    for seed in (33, 34):
        shutil.move(Path(write_app(seed, "sole_trader", "complete")[0]).parent, folder)

    batch = serve.onboard("batch", str(folder), "--wait", "--json")

    assert batch.returncode == 0, batch.stderr
    ids = [row["application_id"] for row in json.loads(batch.stdout)["applications"]]
    assert len(ids) == 2 and all(application_state(serve.home, i) not in ("submitted", "checking") for i in ids)
    for application_id in ids:  # what staff type into the tag filter of Prefect's Runs page
        (run,) = prefect_api(serve, "flow_runs/filter", {"flow_runs": {"tags": {"all_": [application_id]}}})
        assert run["name"].startswith("onboard-batch-") and set(ids) <= set(run["tags"])


def test_a_runner_killed_mid_ocr_is_restarted_and_the_application_decided_once(serve, write_app):
    runner = serve.runner_pid()
    assert runner is not None
    submitted = serve.onboard("submit", *write_app(32, "small_micro", "missing_back"), "--json")
    assert submitted.returncode == 0, submitted.stderr
    application_id = json.loads(submitted.stdout)["application_id"]
    deadline = time.monotonic() + 240
    while application_state(serve.home, application_id) != "checking":  # the runner has begun: OCR is next
        assert time.monotonic() < deadline, "the runner never took the application"
        time.sleep(0.05)

    os.kill(runner, signal.SIGKILL)

    deadline = time.monotonic() + 300
    while application_state(serve.home, application_id) in ("submitted", "checking"):
        assert time.monotonic() < deadline, f"not decided after the restart: {''.join(serve.log)}"
        time.sleep(0.5)
    assert application_state(serve.home, application_id) == "needs_documents"
    assert any("runner exited (signal SIGKILL); restarting" in line for line in serve.log), serve.log
    assert serve.runner_pid() not in (None, runner)
    assert messages_of(serve.home, application_id) == [
        f"{application_id}_request-1_email.json", f"{application_id}_request-1_sms.json"]
    shown = json.loads(serve.onboard("show", application_id, "--json").stdout)
    assert [e["to_state"] for e in shown["history"]].count("needs_documents") == 1
    # Prefect's UI: the killed run is crashed, the one after the restart completed (it records the decision
    # before its closing steps, so it may still be running for a moment after the state changed).
    deadline = time.monotonic() + 60
    while "RUNNING" in (states := flow_run_states(serve, f"onboard-{application_id}")) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert sorted(states) == ["COMPLETED", "CRASHED"]


def prefect_api(serve: Serve, path: str, body: dict):
    request = urllib.request.Request(f"{serve.endpoints['prefect']}/api/{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def flow_runs(serve: Serve, name: str) -> list[dict]:
    return prefect_api(serve, "flow_runs/filter", {"flow_runs": {"name": {"any_": [name]}}})


def flow_run_states(serve: Serve, name: str) -> list[str]:
    return [run["state_type"] for run in flow_runs(serve, name)]


def run_logs(serve: Serve, flow_run_id: str) -> list[str]:
    return [log["message"] for log in prefect_api(serve, "logs/filter", {"logs": {"flow_run_id": {"any_": [flow_run_id]}}})]


def test_sigterm_stops_every_process_of_the_serve_within_10_s(serve):
    from onboarding.adapters.serve_registry import ServeRegistry

    processes = descendants(serve.process.pid)
    assert len(processes) >= 4  # Prefect's server, portal, back office, runner (and the runner's OCR workers)
    started = time.monotonic()

    serve.process.send_signal(signal.SIGTERM)

    assert serve.process.wait(timeout=10) == 0
    assert time.monotonic() - started < 10
    assert [pid for pid in processes if alive(pid)] == []
    assert ServeRegistry(serve.home).running() is None  # the home is free for the next serve


def test_serve_warns_when_the_configured_portal_address_is_not_where_the_portal_listens(tmp_path):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PREFECT_API_URL", "ONBOARD_"))}
    env |= {"ONBOARD_HOME": str(tmp_path / "home"), "ONBOARD_PORTAL_BASE_URL": "https://onboard.example.com"}
    serve = subprocess.Popen([sys.executable, "-m", "onboarding.cli.main", "serve", "--portal-port", str(port),
                              "--backoffice-port", str(free_port()), "--prefect-port", str(free_port()), "--no-sweep"],
                             env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        warning = serve.stderr.readline()
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)

    assert warning.strip() == (f"warning: ONBOARD_PORTAL_BASE_URL is https://onboard.example.com but the portal "
                               f"listens on http://127.0.0.1:{port}; upload links point at https://onboard.example.com")
