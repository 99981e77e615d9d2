"""`onboard demo`: sample applications of every merchant type, some with deliberate defects, end to end."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from onboarding.bootstrap import Services

PLAN = [
    ("small_micro", "complete"), ("sole_trader", "complete"), ("enterprise", "complete"),
    ("small_micro", "missing_back"), ("sole_trader", "expired_id"), ("small_micro", "name_mismatch"),
    ("enterprise", "missing_back"), ("sole_trader", "complete"), ("small_micro", "expired_id"),
    ("enterprise", "complete"),
]


def run_demo(services: Services, count: int, *, progress: bool = True, seed: int = 1000) -> dict[str, Any]:
    """Submits `count` generated applications, then onboards them as one batch, as a bulk load would."""
    # imported when needed: starting the command stays cheap
    from documents.samples.applications import sample_application
    from onboarding.service.application_input import parse_application
    from rules.deposit_policy import load_deposit_policies
    from onboarding.service.checking import undecided
    from onboarding.service.submission import UploadedFile, submit_application

    models = load_deposit_policies(services.settings.rules_dir).models
    started_at, started = datetime.now(timezone.utc), time.perf_counter()
    runs = services.runs
    runs.warm_up()  # the orchestrator starts while the samples are drawn and submitted
    planned: dict[str, tuple[str, str, list[str]]] = {}
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), disable=not progress)
    with bar:
        submitting = bar.add_task("submitting sample applications", total=count)
        for n in range(count):
            merchant_type, scenario = PLAN[n % len(PLAN)]
            sample = sample_application(seed + n, merchant_type, scenario, as_of=services.clock().date())
            files = [UploadedFile(t, data, f"{t}.jpg") for t, data in sample.documents.items()]
            application_id = submit_application(services, parse_application(sample.payload, models), files,
                                                actor="demo")
            runs.warm_up([application_id])  # OCR starts while the next samples are drawn
            planned[application_id] = (merchant_type, scenario, list(sample.expected_codes))
            bar.advance(submitting)
        runs.wait_ready()
        deciding = bar.add_task("onboarding: OCR, checks, decisions", total=count)
        runner = _in_background(lambda: runs.run_and_wait(list(planned)))
        while runner.is_alive():
            runner.join(0.5)
            bar.update(deciding, completed=count - undecided(services, list(planned)))
        runner.result()
        bar.update(deciding, completed=count)
    return {"applications": [_result(services, application_id, *plan, started_at)
                             for application_id, plan in planned.items()],
            "seconds": round(time.perf_counter() - started, 2), "home": str(services.settings.resolved_home)}


def _result(services: Services, application_id: str, merchant_type: str, scenario: str, expected: list[str],
            started_at: datetime) -> dict[str, Any]:
    # imported when needed: starting the command stays cheap
    from onboarding.service.views import application_view

    view = application_view(services, application_id)
    decided_at = (view["decision"] or {}).get("decided_at")
    return {"application_id": application_id, "merchant_type": merchant_type, "scenario": scenario,
            "state": view["state"], "deficiencies": sorted({d["code"] for d in view["deficiencies"]}),
            "expected": expected,
            "seconds": round((datetime.fromisoformat(decided_at) - started_at).total_seconds(), 2)
            if decided_at else None}


class _in_background(threading.Thread):
    """Runs `work` on a thread and hands its result (or exception) back to whoever joins it."""

    def __init__(self, work) -> None:
        super().__init__(name="demo-batch", daemon=True)
        self._work, self._outcome = work, None
        self.start()

    def run(self) -> None:
        try:
            self._outcome = (True, self._work())
        except BaseException as error:  # re-raised in the joining thread
            self._outcome = (False, error)

    def result(self):
        self.join()
        ok, value = self._outcome
        if not ok:
            raise value
        return value
