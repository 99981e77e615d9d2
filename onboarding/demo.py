"""`onboard demo`: sample applications of every merchant type, some with deliberate defects, end to end."""
from __future__ import annotations

import time
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
    from documents.samples.applications import sample_application
    from flows.launch import run_onboarding
    from onboarding.service.application_input import parse_application
    from onboarding.service.submission import UploadedFile, submit_application
    from onboarding.service.views import application_view

    started = time.perf_counter()
    results = []
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), disable=not progress)
    with bar:
        task = bar.add_task("onboarding sample applications", total=count)
        for n in range(count):
            merchant_type, scenario = PLAN[n % len(PLAN)]
            app_started = time.perf_counter()
            sample = sample_application(seed + n, merchant_type, scenario, as_of=services.clock().date())
            files = [UploadedFile(t, data, f"{t}.jpg") for t, data in sample.documents.items()]
            application_id = submit_application(services, parse_application(sample.payload), files, actor="demo")
            run_onboarding(services, application_id)
            view = application_view(services, application_id)
            results.append({
                "application_id": application_id, "merchant_type": merchant_type, "scenario": scenario,
                "state": view["state"], "deficiencies": sorted({d["code"] for d in view["deficiencies"]}),
                "expected": list(sample.expected_codes), "seconds": round(time.perf_counter() - app_started, 2),
            })
            bar.advance(task)
    return {"applications": results, "seconds": round(time.perf_counter() - started, 2),
            "home": str(services.settings.resolved_home)}
