"""The two implementations of onboarding.service.runs.Runs (registered as entry points, so onboarding never
imports this module): how flow runs of flows.onboard are started.

Embedded: the applications go to this home's run queue (onboarding.adapters.run_queue). While `onboard serve`
runs on the home, its runner takes them and a waiting command only watches its requests end; otherwise a
start launches one background runner per installation (it drains the queue and exits) and a wait runs the
flow in this process, against an orchestrator this process starts (onboarding.orchestrator).
Deployment: runs of a Prefect deployment on a work pool (scale-out).
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from contextlib import contextmanager
from datetime import datetime, timezone

from onboarding import orchestrator
from onboarding.adapters.run_claims import RunClaims
from onboarding.adapters.run_queue import QueuedRun, RunQueue
from onboarding.adapters.serve_registry import ServeRegistry
from onboarding.bootstrap import Services
from onboarding.service import checking

RUNNER_LOCK_FD = "ONBOARD_RUNNER_LOCK_FD"  # the open lock file a starter hands to the runner it launches
QUEUE_POLL_S = 0.1  # how often a waiting command looks at the queue
# A serve's idle runner wakes when a command rings the queue's doorbell; it also looks this often regardless
# (a request written by a version of `onboard` that did not ring).
RUNNER_IDLE_LOOK_S = 2.0
# Prefect refuses an event with more than 100 related resources, and each tag of a flow run is one: a batch's
# members go into runs of at most this many, each run tagged with its members' ids.
BATCH_RUN_MEMBERS = 80
SETTLE_S = 0.05  # requests of one command are written one by one: the runner waits until they stop coming

logger = logging.getLogger(__name__)


class EmbeddedRuns:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.queue = background_queue(services)
        self.serve = ServeRegistry(services.settings.resolved_home)

    def warm_up(self, application_ids: Sequence[str] = ()) -> None:
        if self.serve.running() is not None:
            self.queue.hint_read_ahead(list(application_ids))  # the serve's runner reads them
            return
        warm_up_orchestrator(self.services)
        if application_ids:
            # imported when the task runs in its worker, not when Prefect loads the flow's module
            from onboarding.service import reading

            reading.read_ahead(self.services, list(application_ids))

    def wait_ready(self) -> None:
        if self.serve.running() is None:
            orchestrator_ready(self.services)

    def start(self, application_ids: Sequence[str], from_step: str | None = None) -> None:
        self.queue.add(list(application_ids), from_step)
        if self.serve.running() is not None:
            return  # the serve's runner takes them
        if not self.queue.try_lock():
            return  # the runner holding it looks at the queue again before it exits
        log_dir = self.services.settings.resolved_home / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        try:
            with open(log_dir / "background-runner.log", "ab") as log:
                subprocess.Popen(
                    [sys.executable, "-m", "onboarding.cli.main", "rerun", "--queued", "--json"],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
                    pass_fds=(self.queue.lock_fd,),
                    env={**orchestrator.environment_for_children(), RUNNER_LOCK_FD: str(self.queue.lock_fd)},
                )
        finally:
            self.queue.hand_over()

    def run_and_wait(self, application_ids: Sequence[str], timeout: float | None = None,
                     from_step: str | None = None) -> dict[str, str]:
        """Through the serve of this home when one runs; otherwise in this process (where a flow run cannot be
        interrupted, so `timeout` applies only to a serve's runs)."""
        ids = list(application_ids)
        if self.serve.running() is not None:
            return self._through_serve(ids, timeout, from_step)
        if len(ids) == 1:
            return {ids[0]: run_onboarding(self.services, ids[0], from_step=from_step)}
        return run_batch(self.services, ids, from_step=from_step)

    def _through_serve(self, ids: list[str], timeout: float | None, from_step: str | None) -> dict[str, str]:
        requests = self.queue.add(ids, from_step)
        deadline = None if timeout is None else time.monotonic() + timeout
        while left := self.queue.waiting(requests):
            if self.serve.running() is None:  # the serve stopped before its runner got to them: run them here
                for run in left:
                    run_onboarding(self.services, run.application_id, from_step=from_step)
                self.queue.done(left)
                break
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"{len(left)} application(s) still running after {timeout:.0f} s")
            time.sleep(QUEUE_POLL_S)
        return {application_id: checking.state_of(self.services, application_id) for application_id in ids}

    def take_queued(self, follow: bool = False) -> dict[str, str]:
        return run_queued(self.services, follow=follow)


class DeploymentRuns:
    """Scale-out: each application is a run of the deployment on the work pool, so every worker shares them."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def warm_up(self, application_ids: Sequence[str] = ()) -> None:
        pass

    def wait_ready(self) -> None:
        pass

    def start(self, application_ids: Sequence[str], from_step: str | None = None) -> None:
        _forget_readings_for(self.services, application_ids, from_step)
        for application_id in application_ids:
            _run_deployment(self.services, application_id, from_step is not None, wait=False)

    def run_and_wait(self, application_ids: Sequence[str], timeout: float | None = None,
                     from_step: str | None = None) -> dict[str, str]:
        _forget_readings_for(self.services, application_ids, from_step)
        runs = [_run_deployment(self.services, application_id, from_step is not None, wait=False)
                for application_id in application_ids]
        _wait_until_final([run.id for run in runs], timeout)
        return {application_id: checking.state_of(self.services, application_id) for application_id in application_ids}


def run_onboarding(services: Services, application_id: str, from_step: str | None = None) -> str:
    """Runs the flow of one application to its end in this process and returns its state."""
    with run_claims(services).hold([application_id]):  # `status` tells a live run from a stalled one
        _forget_readings_for(services, [application_id], from_step)
        orchestrator_ready(services)
        # heavy import, paid only on the path that needs it
        from prefect import tags

        # imported when the task runs in its worker, not when Prefect loads the flow's module
        from flows.onboard import onboard_application

        with tags(checking.merchant_type_of(services, application_id), "onboarding"), _embedded_run_settings():
            return onboard_application(application_id, force=from_step is not None)


def run_batch(services: Services, application_ids: list[str], from_step: str | None = None) -> dict[str, str]:
    """Onboards many applications in this process, in flow runs of at most BATCH_RUN_MEMBERS, and returns their
    states by id."""
    with run_claims(services).hold(application_ids):
        _forget_readings_for(services, application_ids, from_step)
        parts = [application_ids[i:i + BATCH_RUN_MEMBERS] for i in range(0, len(application_ids), BATCH_RUN_MEMBERS)]
        if len(parts) > 1:  # the pool reads every part's documents while the first parts' runs go on
            # imported when the task runs in its worker, not when Prefect loads the flow's module
            from onboarding.service import reading

            reading.read_ahead(services, application_ids)
        stamp = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{len(application_ids)}"
        orchestrator_ready(services)
        # heavy import, paid only on the path that needs it
        from prefect import tags

        # imported when the task runs in its worker, not when Prefect loads the flow's module
        from flows.onboard import onboard_batch

        states: dict[str, str] = {}
        for n, part in enumerate(parts, start=1):
            name = stamp if len(parts) == 1 else f"{stamp}-{n}of{len(parts)}"
            # Tagged with every member's id, so Prefect's UI finds the batch's run from any of them (a tag
            # filter); ~53 ms of Prefect per member, against ~270 ms as subflow runs (BENCHMARKS.md).
            with tags("onboarding", "batch", *part), _embedded_run_settings():
                states |= onboard_batch(part, batch_name=name, force=from_step is not None)
        return states


def run_claims(services: Services) -> RunClaims:
    return RunClaims(services.settings.resolved_home / "run" / "active")


def _forget_readings_for(services: Services, application_ids: Sequence[str], from_step: str | None) -> None:
    if from_step == "ocr":
        # imported when the task runs in its worker, not when Prefect loads the flow's module
        from onboarding.service import reading

        for application_id in application_ids:
            reading.forget_ocr_readings(services, application_id)


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
    # heavy import, paid only on the path that needs it
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def _run_deployment(services: Services, application_id: str, force: bool, wait: bool):
    # heavy import, paid only on the path that needs it
    from prefect.deployments import run_deployment

    return run_deployment(services.settings.prefect_deployment,
                          parameters={"application_id": application_id, "force": force},
                          tags=[checking.merchant_type_of(services, application_id), "onboarding"],
                          timeout=None if wait else 0)


def _wait_until_final(flow_run_ids: list, timeout: float | None = None, poll_seconds: float = 2.0) -> None:
    """Every run submitted at once (the workers share them), then waited for together."""
    # heavy import, paid only on the path that needs it
    from prefect.client.orchestration import get_client

    waiting = list(flow_run_ids)
    deadline = None if timeout is None else time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while waiting:
            waiting = [run_id for run_id in waiting if not client.read_flow_run(run_id).state.is_final()]
            if waiting:
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError(f"{len(waiting)} run(s) not finished after {timeout:.0f} s")
                time.sleep(poll_seconds)


def run_queued(services: Services, follow: bool = False) -> dict[str, str]:
    """The runner: onboards what is queued, in batches, until the queue stays empty; with `follow` (the runner
    of `onboard serve`) it keeps the lock and goes on looking until it is stopped."""
    queue = background_queue(services)
    given = os.environ.pop(RUNNER_LOCK_FD, None)
    if given is not None:
        queue.adopt_lock(int(given))
    elif follow:
        while not queue.try_lock():  # a background runner started before the serve: it finishes its queue first
            time.sleep(QUEUE_POLL_S * 5)
    elif not queue.try_lock():
        return {}
    queue.mark_alive()
    if follow:
        queue.requests_bell.listen()
        queue.hints_bell.listen()
        # Before any run of ours starts, so none of them is taken for an orphan; it waits for Prefect's server,
        # which the runs need anyway.
        _crash_orphaned_runs()
        services.ocr_workers.start()  # the first batch handed to the serve finds its OCR pool up
        threading.Thread(target=_read_hinted_ahead, args=(services, queue), name="read-ahead", daemon=True).start()
    states: dict[str, str] = {}
    while True:
        try:
            while runs := _settled(queue):
                states |= _run_requests(services, queue, runs)
                if follow:
                    states = {}  # a serve's runner lives for days: nobody reads what it returns
            if follow:
                queue.requests_bell.wait(RUNNER_IDLE_LOOK_S)
                continue
        finally:
            if not follow:
                queue.release()
        # Queued while the lock was held: that start saw it taken and launched nobody.
        if not queue.pending() or not queue.try_lock():
            return states
        queue.mark_alive()


ORPHAN_CHECK_WAIT_S = 120  # Prefect's server takes 4-11 s to start, much longer on a loaded machine


def _crash_orphaned_runs() -> None:
    """Under `onboard serve` only its runner runs flows against its Prefect server, and only one runner runs:
    a flow run still running or pending there when a runner starts was left by a process that died (a runner
    killed mid-OCR, a command killed before the serve started). Marked crashed, so Prefect's UI says so."""
    # heavy import, paid only on the path that needs it
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
    from prefect.client.schemas.objects import StateType
    from prefect.states import Crashed

    unfinished = FlowRunFilter(state=FlowRunFilterState(
        type=FlowRunFilterStateType(any_=[StateType.RUNNING, StateType.PENDING])))
    deadline = time.monotonic() + ORPHAN_CHECK_WAIT_S
    while True:
        try:
            with get_client(sync_client=True) as client:
                for run in client.read_flow_runs(flow_run_filter=unfinished):
                    client.set_flow_run_state(run.id, Crashed(message="the process running it ended; the runner "
                                                                      "of onboard serve runs it again"), force=True)
                    logger.warning("flow run %s (%s) marked crashed: its process ended", run.name, run.id)
            return
        except Exception:  # the runs go on regardless; only what Prefect's UI shows is at stake
            if time.monotonic() > deadline:
                logger.exception("could not mark orphaned flow runs crashed")
                return
            time.sleep(1)  # the serve's Prefect server is still starting


def _read_hinted_ahead(services: Services, queue: RunQueue) -> None:
    """A serve's runner: a command storing a batch hints each application as it is stored, so its OCR starts
    while the rest are stored; the run request that follows joins the reads in flight."""
    # imported when the runner starts, not when Prefect loads this module
    from onboarding.service import reading

    while True:
        queue.hints_bell.wait(RUNNER_IDLE_LOOK_S)
        for application_id in queue.take_hints():
            try:
                reading.read_ahead(services, [application_id])
            except Exception:  # the run reads whatever was not read ahead
                logger.exception("reading %s ahead failed", application_id)


def _settled(queue: RunQueue) -> list[QueuedRun]:
    """The queue once a command has finished writing its requests (a batch then runs as one flow run)."""
    runs, deadline = queue.pending(), time.monotonic() + 1.0
    while runs and time.monotonic() < deadline:
        time.sleep(SETTLE_S)
        again = queue.pending()
        if len(again) == len(runs):
            return again
        runs = again
    return runs


def _run_requests(services: Services, queue: RunQueue, runs: list[QueuedRun]) -> dict[str, str]:
    """Runs the requests, those redoing the same step together; a request is done once its run has ended."""
    states: dict[str, str] = {}
    for from_step in dict.fromkeys(run.from_step for run in runs):
        group = [run for run in runs if run.from_step == from_step]
        application_ids = sorted({run.application_id for run in group})
        try:
            if from_step is None:  # OCR starts while the flow run is created, as in a one-shot batch
                # heavy import (the OCR workers, numpy, PIL), paid only on the path that needs it
                from onboarding.service import reading

                reading.read_ahead(services, application_ids)
            states |= ({application_ids[0]: run_onboarding(services, application_ids[0], from_step)}
                       if len(application_ids) == 1 else run_batch(services, application_ids, from_step))
        except Exception:  # left to `rerun --failed`, like any failed run; the rest of the queue goes on
            logger.exception("background run failed")
        queue.done(group)
    return states


def background_queue(services: Services) -> RunQueue:
    return RunQueue(services.settings.resolved_home / "run")
