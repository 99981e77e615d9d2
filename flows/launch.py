"""How a flow run is started: in this process (--wait, demo, rerun) or detached, so the CLI can return."""
from __future__ import annotations

import subprocess
import sys

from onboarding.bootstrap import Services
from onboarding.service import checking

RERUN_STEPS = ("intake", "ocr", "extract", "check")


def run_onboarding(services: Services, application_id: str, from_step: str | None = None) -> str:
    """Runs the flow to its end (in this process, or on the work pool in scale-out) and returns the state."""
    from prefect import tags

    from flows.onboard import onboard_application

    if from_step == "ocr":
        checking.forget_ocr_readings(services, application_id)
    force = from_step is not None
    if services.settings.prefect_deployment:
        _run_deployment(services, application_id, force, wait=True)
        return checking.state_of(services, application_id)
    with tags(checking.merchant_type_of(services, application_id), "onboarding"):
        return onboard_application(application_id, force=force)


def _run_deployment(services: Services, application_id: str, force: bool, wait: bool) -> None:
    from prefect.deployments import run_deployment

    run_deployment(services.settings.prefect_deployment, parameters={"application_id": application_id, "force": force},
                   tags=[checking.merchant_type_of(services, application_id), "onboarding"],
                   timeout=None if wait else 0)


def start_onboarding(services: Services, application_id: str) -> None:
    """Starts the checks without waiting: a deployment run on the work pool in scale-out, else a detached
    `onboard rerun`. The application is already recorded, so a lost start loses nothing (rerun --failed)."""
    if services.settings.prefect_deployment:
        _run_deployment(services, application_id, force=False, wait=False)
        return
    log_dir = services.settings.resolved_home / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / f"{application_id}.log", "ab") as log:
        subprocess.Popen(
            [sys.executable, "-m", "onboarding.cli.main", "rerun", application_id, "--json"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
        )
