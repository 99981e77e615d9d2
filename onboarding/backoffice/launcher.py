"""The one place the back office starts the checks of an application (after an accepted finding, an edit,
"not a duplicate", or an ops rerun), through the shared `Runs` interface (onboarding.service.runs). Starts go
to one background thread, so a page answers at once and the case page shows "checking" until the decision is in.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from onboarding.bootstrap import Services
from onboarding.notifications.delivery import deliver_pending

logger = logging.getLogger("onboarding.backoffice")

Launch = Callable[[str, "str | None"], None]  # (application_id, from_step)


def _run(services: Services, application_id: str, from_step: str | None) -> None:
    services.runs.start([application_id], from_step=from_step)


def background_sender(services: Services) -> tuple[Callable[[str], None], ThreadPoolExecutor]:
    """Sends an application's queued messages (a request round, an approval) right after the action, off the
    request thread; whatever fails stays in the outbox for the sweep to retry."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="backoffice-messages")

    def send_logged(application_id: str) -> None:
        try:
            report = deliver_pending(services, application_id)
            if report.failed:
                logger.warning("messages for %s: %d failed, retried by the sweep", application_id, report.failed)
        except Exception:
            logger.exception("sending messages for %s failed; the sweep retries them", application_id)

    def deliver(application_id: str) -> None:
        executor.submit(send_logged, application_id)

    return deliver, executor


def background_launcher(services: Services) -> tuple[Launch, ThreadPoolExecutor]:
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="backoffice-checks")

    def run_logged(application_id: str, from_step: str | None) -> None:
        try:
            _run(services, application_id, from_step)
        except Exception:  # the action is recorded; ops rerun the flow, which picks up where it stopped
            logger.exception("checks for %s failed; `onboard rerun %s` retries them", application_id, application_id)

    def launch(application_id: str, from_step: str | None = None) -> None:
        executor.submit(run_logged, application_id, from_step)

    return launch, executor
