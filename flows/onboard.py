"""The onboarding flow: orchestration only. Every step is a call into onboarding.service.checking."""
from __future__ import annotations

import os

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from onboarding.bootstrap import get_services
from onboarding.service import checking
from rules.model import Decision

# Our own database is the cache of finished steps; Prefect's result cache would be a second, weaker copy.
STEP = dict(cache_policy=NO_CACHE, persist_result=False)


@task(name="intake", retries=2, retry_delay_seconds=1, **STEP)
def intake(application_id: str, force: bool) -> checking.CheckPlan:
    return checking.begin_check(get_services(), application_id, force=force)


@task(name="ocr", task_run_name="ocr-{document_id}", retries=2, retry_delay_seconds=1, **STEP)
def ocr(document_id: str) -> checking.OcrDone:
    return checking.ocr_document(get_services(), document_id)


@task(name="extract", task_run_name="extract-{document_id}", **STEP)
def extract(document_id: str) -> dict:
    return {name: field.model_dump() for name, field in checking.extract_document(get_services(), document_id).items()}


@task(name="check", **STEP)
def check(application_id: str) -> Decision:
    return checking.evaluate_application(get_services(), application_id)


@task(name="decide", retries=2, retry_delay_seconds=1, **STEP)
def decide(application_id: str, decision: Decision, fingerprint: str) -> str:
    return str(checking.record_decision(get_services(), application_id, decision, fingerprint))



@task(name="notify", retries=3, retry_delay_seconds=[2, 10, 30], **STEP)
def notify(application_id: str) -> int:
    """Sends this application's pending outbox messages; a failed channel raises so Prefect retries."""
    from onboarding.notifications.delivery import deliver_pending

    report = deliver_pending(get_services(), application_id)
    if report.failed:
        raise RuntimeError(f"{report.failed} message(s) not sent: {'; '.join(report.errors)}")
    return report.sent


@task(name="assign-terminal", retries=2, retry_delay_seconds=1, **STEP)
def assign_terminal(application_id: str) -> str | None:
    """Reserves a terminal of the applied model for an approved application; a rerun gets the same one."""
    from onboarding.service.terminals import assign_terminal as assign

    return assign(get_services(), application_id)


@task(name="publish-summary", **STEP)
def publish_summary(application_id: str) -> None:
    """Markdown and table artifacts keyed per application, so the Artifacts page shows the latest."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    from onboarding.service.summary import summary_markdown, summary_table
    from onboarding.service.views import application_view

    view = application_view(get_services(), application_id)
    key = f"application-{application_id.lower()}"
    create_markdown_artifact(key=key, markdown=summary_markdown(view), description=f"{application_id}: {view['state']}")
    create_table_artifact(key=f"{key}-table", table=summary_table(view), description=f"{application_id} decision")


@flow(name="onboard-application", flow_run_name="onboard-{application_id}", log_prints=True,
      task_runner=ThreadPoolTaskRunner(max_workers=os.cpu_count() or 1))
def onboard_application(application_id: str, force: bool = False) -> str:
    """intake → OCR per document (concurrent) → extraction → checks → decision. Safe to run again at any point.

    `force` re-evaluates even when nothing changed since the last decision (ops, after a rules fix).
    """
    plan = intake(application_id, force)
    if plan.skip_reason:
        notify(application_id)  # a run that crashed after its decision still owes the merchant the message
        publish_summary(application_id)
        return str(plan.state)
    extracted = [
        extract.submit(document_id, wait_for=[ocr.submit(document_id)])
        for document_id in plan.ocr_document_ids
    ]
    decision = check.submit(application_id, wait_for=extracted).result()
    state = decide(application_id, decision, plan.fingerprint)
    if state == "approved":
        assign_terminal(application_id)
    notify(application_id)
    publish_summary(application_id)
    return state
