"""How a flow run is started: in this process (--wait, demo, rerun) or detached, so the CLI can return."""
from __future__ import annotations

import subprocess
import sys

from onboarding.bootstrap import Services
from onboarding.service import checking

RERUN_STEPS = ("intake", "ocr", "extract", "check")


def run_onboarding(services: Services, application_id: str, from_step: str | None = None) -> str:
    from prefect import tags

    from flows.onboard import onboard_application

    if from_step == "ocr":
        checking.forget_ocr_readings(services, application_id)
    merchant_type = checking.merchant_type_of(services, application_id)
    with tags(merchant_type, "onboarding"):
        return onboard_application(application_id, force=from_step is not None)


def start_onboarding(services: Services, application_id: str) -> None:
    """Detached `onboard rerun`: the application is already recorded, so a lost process loses nothing."""
    log_dir = services.settings.resolved_home / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / f"{application_id}.log", "ab") as log:
        subprocess.Popen(
            [sys.executable, "-m", "onboarding.cli.main", "rerun", application_id, "--json"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
        )
