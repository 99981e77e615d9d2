"""Whether the checks of an undecided application are under way, waiting for a runner, or stalled (the process
running them died), on the embedded default; and which applications `rerun --failed` takes, and which not.

In scale-out the runs are on other machines and this cannot be told from here: activity is unknown (None) and
`rerun --failed` goes by age alone, as before.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from onboarding.adapters.run_claims import RunClaims
from onboarding.adapters.run_queue import RunQueue
from onboarding.adapters.serve_registry import ServeRegistry
from onboarding.domain.states import ApplicationState
from onboarding.service.checking import failed_runs
from onboarding.service.ports import CheckServices

UNDECIDED = (ApplicationState.SUBMITTED, ApplicationState.CHECKING)
# A run is claimed a moment after its application is recorded, and a launched runner needs seconds to start:
# younger than this, an unclaimed application is "starting", not stalled.
STARTING_FOR = timedelta(seconds=20)


@dataclass(frozen=True)
class RunActivity:
    running: frozenset[str]
    queued: frozenset[str]  # waiting in the run queue, with a runner (or a serve) to take them

    def of(self, application_id: str, state: ApplicationState, in_state: timedelta,
           starting_for: timedelta = STARTING_FOR) -> str | None:
        """running | queued | starting | stalled, for an undecided application; None otherwise."""
        if state not in UNDECIDED:
            return None
        if application_id in self.running:
            return "running"
        if application_id in self.queued:
            return "queued"
        return "starting" if in_state < starting_for else "stalled"


def run_activity(services: CheckServices, application_ids: list[str]) -> RunActivity | None:
    if services.settings.prefect_deployment:
        return None

    run_dir = services.settings.resolved_home / "run"
    claims, queue = RunClaims(run_dir / "active"), RunQueue(run_dir)
    taken = queue.runner_alive() or ServeRegistry(services.settings.resolved_home).running() is not None
    return RunActivity(running=frozenset(a for a in application_ids if claims.held(a)),
                       queued=frozenset(r.application_id for r in queue.pending()) if taken else frozenset())


@dataclass(frozen=True)
class RerunPlan:
    targets: list[str]
    skipped: dict[str, str]  # application id -> why it is left alone


def failed_run_plan(services: CheckServices, grace: timedelta) -> RerunPlan:
    """What `rerun --failed` takes: what failed_runs finds (undecided past `grace`, messages unsent, changes
    stuck) and every stalled run at once; minus whatever a live process is running or will run."""
    now = services.clock()
    with services.uow() as uow:
        undecided = [(a.id, a.state, now - (a.state_changed_at or a.created_at))
                     for a in uow.applications.list(list(UNDECIDED))]
    candidates = set(failed_runs(services, grace))
    activity = run_activity(services, [a for a, _, _ in undecided])
    skipped: dict[str, str] = {}
    for application_id, state, in_state in undecided:
        if activity is None:
            if application_id not in candidates:
                skipped[application_id] = f"{state} for {_age(in_state)}, less than --grace-minutes"
            continue
        run = activity.of(application_id, state, in_state, min(grace, STARTING_FOR))  # --grace-minutes 0: none is
        if run == "stalled":
            candidates.add(application_id)
        else:
            candidates.discard(application_id)
            skipped[application_id] = {"running": "its checks are running in a live process",
                                       "queued": "queued: the runner takes it",
                                       "starting": f"{state} {_age(in_state)} ago: its run is starting"}[run]
    return RerunPlan(sorted(candidates), skipped)


def _age(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def stalled_note(in_state: timedelta) -> str:
    return f"stalled {_age(in_state)}: the process running its checks ended (onboard rerun --failed)"
