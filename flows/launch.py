"""How flow runs are started: in this process (--wait, demo, batches, rerun) or by the background runner, so the
CLI can return (one runner per installation drains a queue; see onboarding.adapters.run_queue)."""
from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from datetime import datetime, timezone

from onboarding import orchestrator
from onboarding.adapters.run_queue import RunQueue
from onboarding.bootstrap import Services
from onboarding.service import checking

RERUN_STEPS = ("intake", "ocr", "extract", "check")
RUNNER_LOCK_FD = "ONBOARD_RUNNER_LOCK_FD"  # the open lock file a starter hands to the runner it launches


def run_onboarding(services: Services, application_id: str, from_step: str | None = None) -> str:
    """Runs the flow to its end (in this process, or on the work pool in scale-out) and returns the state."""
    from onboarding.service import reading

    if from_step == "ocr":
        reading.forget_ocr_readings(services, application_id)
    force = from_step is not None
    if services.settings.prefect_deployment:
        _run_deployment(services, application_id, force, wait=True)
        return checking.state_of(services, application_id)
    orchestrator_ready(services)
    from prefect import tags

    from flows.onboard import onboard_application

    with tags(checking.merchant_type_of(services, application_id), "onboarding"), _embedded_run_settings():
        return onboard_application(application_id, force=force)


def run_batch(services: Services, application_ids: list[str], from_step: str | None = None) -> dict[str, str]:
    """Onboards many applications in one flow run in this process and returns their states by id.

    In scale-out each application goes to the work pool as a run of its own, so every worker shares the batch.
    """
    from onboarding.service import reading

    if from_step == "ocr":
        for application_id in application_ids:
            reading.forget_ocr_readings(services, application_id)
    force = from_step is not None
    if services.settings.prefect_deployment:
        runs = [_run_deployment(services, application_id, force, wait=False) for application_id in application_ids]
        _wait_until_final([run.id for run in runs])
        return {application_id: checking.state_of(services, application_id) for application_id in application_ids}
    name = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{len(application_ids)}"
    orchestrator_ready(services)
    from prefect import tags

    from flows.onboard import onboard_batch

    with tags("onboarding", "batch"), _embedded_run_settings():
        return onboard_batch(application_ids, batch_name=name, force=force)


def warm_up_orchestrator(services: Services) -> None:
    """Starts the embedded orchestrator now (it takes seconds), so that work such as checking a batch's files
    overlaps its start. Prefect is imported after this, never before (see onboarding.orchestrator)."""
    if not services.settings.prefect_deployment:
        orchestrator.start_embedded(services.settings.resolved_home)


def orchestrator_ready(services: Services) -> None:
    """Waits until the embedded orchestrator answers (starting it if nobody did); flow runs need it."""
    warm_up_orchestrator(services)
    embedded = orchestrator.running()
    if embedded is not None:
        embedded.wait_ready()


@contextmanager
def _embedded_run_settings():
    """On Prefect's ephemeral API nothing watches flow-run heartbeats (no worker, no automations), and a
    finishing flow run waits up to a second for its heartbeat thread: switched off there."""
    if orchestrator.running() is None and os.environ.get("PREFECT_API_URL"):
        yield
        return
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def _run_deployment(services: Services, application_id: str, force: bool, wait: bool):
    from prefect.deployments import run_deployment

    return run_deployment(services.settings.prefect_deployment,
                          parameters={"application_id": application_id, "force": force},
                          tags=[checking.merchant_type_of(services, application_id), "onboarding"],
                          timeout=None if wait else 0)


def _wait_until_final(flow_run_ids: list, poll_seconds: float = 2.0) -> None:
    """Every run submitted at once (the workers share them), then waited for together."""
    import time

    from prefect.client.orchestration import get_client

    waiting = list(flow_run_ids)
    with get_client(sync_client=True) as client:
        while waiting:
            waiting = [run_id for run_id in waiting if not client.read_flow_run(run_id).state.is_final()]
            if waiting:
                time.sleep(poll_seconds)


def start_onboarding(services: Services, application_ids: list[str]) -> None:
    """Starts the checks without waiting: deployment runs on the work pool in scale-out, else the applications
    join the background runner's queue, and a runner is launched unless one is running already (it takes them
    on). The applications are recorded already, so a lost start loses nothing (`onboard rerun --failed`)."""
    if services.settings.prefect_deployment:
        for application_id in application_ids:
            _run_deployment(services, application_id, force=False, wait=False)
        return
    queue = background_queue(services)
    queue.add(application_ids)
    if not queue.try_lock():
        return  # the runner holding it looks at the queue again before it exits
    log_dir = services.settings.resolved_home / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    try:
        with open(log_dir / "background-runner.log", "ab") as log:
            subprocess.Popen(
                [sys.executable, "-m", "onboarding.cli.main", "rerun", "--queued", "--json"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, pass_fds=(queue.lock_fd,),
                env={**orchestrator.environment_for_children(), RUNNER_LOCK_FD: str(queue.lock_fd)},
            )
    finally:
        queue.hand_over()


def run_queued(services: Services) -> dict[str, str]:
    """The background runner: onboards what is queued, in batches, until the queue stays empty."""
    import logging

    queue = background_queue(services)
    given = os.environ.pop(RUNNER_LOCK_FD, None)
    if given is not None:
        queue.adopt_lock(int(given))
    elif not queue.try_lock():
        return {}
    states: dict[str, str] = {}
    while True:
        try:
            while runs := queue.pending():
                application_ids = sorted({run.application_id for run in runs})
                try:
                    states |= ({application_ids[0]: run_onboarding(services, application_ids[0])}
                               if len(application_ids) == 1 else run_batch(services, application_ids))
                except Exception:  # left to `rerun --failed`, like any failed run; the rest of the queue goes on
                    logging.getLogger(__name__).exception("background run failed")
                queue.done(runs)
        finally:
            queue.release()
        # Queued while the lock was held: that start saw it taken and launched nobody.
        if not queue.pending() or not queue.try_lock():
            return states


def background_queue(services: Services) -> RunQueue:
    return RunQueue(services.settings.resolved_home / "run")
