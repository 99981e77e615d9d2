"""The onboarding flows: orchestration only. Every step is a call into onboarding.service.

One application (`onboard-application`, what submissions, uploads and reruns start) and a batch
(`onboard-batch`, for bulk submissions and the demo) run the same tasks. Each application is one task,
`check-<id>` (its documents read concurrently on the OCR worker processes, then the decision); a batch is
one flow run. The orchestrator's cost is per flow run and per task run (API calls, state events), and on
the embedded default it is paid on the same cores as OCR, so it is kept to one task per application.
"""
from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from onboarding.bootstrap import get_services
from onboarding.service import checking, reading

# Our own database is the cache of finished steps; Prefect's result cache would be a second, weaker copy.
STEP = dict(cache_policy=NO_CACHE, persist_result=False)
# Checks mostly wait for the OCR worker processes: a few applications' documents queued per worker keep
# every worker busy; more in flight would only hold more files in memory.
TASK_THREADS = 6


@task(name="prepare", retries=2, retry_delay_seconds=1, **STEP)
def prepare(application_ids: list[str], force: bool) -> list[checking.CheckPlan]:
    services = get_services()
    return [checking.begin_check(services, application_id, force=force) for application_id in application_ids]


@task(name="check", task_run_name="check-{application_id}", retries=2, retry_delay_seconds=1, **STEP)
def check(application_id: str, document_ids: list[str], fingerprint: str) -> str:
    """Reads the application's documents (OCR once per file, on the worker processes; readings kept from an
    earlier try are reused), runs the rules, records the decision with its messages in one transaction, then
    tries to send them at once. What cannot be sent now stays in the outbox for the run's `notify` step."""
    # imported when the task runs in its worker, not when Prefect loads the flow's module
    from onboarding.notifications.delivery import deliver_pending

    # heavy import, paid only on the path that needs it
    from prefect import get_run_logger

    services = get_services()
    reading.read_documents(services, document_ids)
    state = str(checking.decide(services, application_id, fingerprint))
    report = deliver_pending(services, application_id)
    # In the run's logs in Prefect's UI (at INFO, which `onboard serve` turns on; one-shot commands log warnings).
    get_run_logger().info("%s: %s after reading %d document(s); %d message(s) sent", application_id, state,
                          len(document_ids), report.sent)
    # Now, while other applications' documents are still being read: at the run's end the OCR workers idle.
    _publish_summary(services, application_id)
    return state


@task(name="check-change", task_run_name="check-change-{change_id}", retries=2, retry_delay_seconds=1, **STEP)
def check_change(application_id: str, change_id: str, document_ids: list[str]) -> str:
    """A change request's new documents: read like any document (OCR once per file), then checked by the same
    rules with the new details in place of the old; its messages go out at once, like a decision's."""
    # imported when the task runs in its worker, not when Prefect loads the flow's module
    from onboarding.notifications.delivery import deliver_pending
    from onboarding.service import changes

    services = get_services()
    reading.read_documents(services, document_ids)
    state = changes.decide_change(services, change_id)
    deliver_pending(services, application_id)
    return state


@task(name="assign-terminal", task_run_name="assign-terminal-{application_id}", retries=2, retry_delay_seconds=1,
      **STEP)
def assign_terminal(application_id: str) -> str | None:
    """An approval whose run crashed before its terminal was reserved; a rerun gets the same one."""
    # imported when the task runs in its worker, not when Prefect loads the flow's module
    from onboarding.service.terminals import assign_terminal as assign

    return assign(get_services(), application_id)


@task(name="notify", retries=3, retry_delay_seconds=[2, 10, 30], **STEP)
def notify(application_ids: list[str]) -> int:
    """Sends these applications' pending outbox messages; a failed channel raises so Prefect retries."""
    # imported when the task runs in its worker, not when Prefect loads the flow's module
    from onboarding.notifications.delivery import deliver_pending

    services, sent, errors = get_services(), 0, []
    for application_id in application_ids:
        report = deliver_pending(services, application_id)
        sent, errors = sent + report.sent, errors + report.errors
    if errors:
        raise RuntimeError(f"{len(errors)} message(s) not sent: {'; '.join(errors)}")
    return sent


@task(name="publish-summaries", **STEP)
def publish_summaries(application_ids: list[str]) -> None:
    """A markdown artifact per application, keyed by it, so the Artifacts page shows each one's latest."""
    services = get_services()
    for application_id in application_ids:
        _publish_summary(services, application_id)


def _publish_summary(services, application_id: str) -> None:
    # imported when the task runs in its worker, not when Prefect loads the flow's module
    from prefect.artifacts import create_markdown_artifact

    # imported when the task runs in its worker, not when Prefect loads the flow's module
    from onboarding.service.summary import summary_markdown
    from onboarding.service.views import application_view

    view = application_view(services, application_id)
    create_markdown_artifact(key=f"application-{application_id.lower()}", markdown=summary_markdown(view),
                             description=f"{application_id}: {view['state']}")


def onboard(application_ids: list[str], force: bool) -> dict[str, str]:
    """intake → OCR per document (on every core) → extraction → checks → decision → messages, per application.

    Safe to run again at any point: each step finds what an earlier run finished and does only the rest.
    """
    plans = prepare(application_ids, force)
    terminals = [assign_terminal.submit(plan.application_id) for plan in plans if plan.needs_terminal]
    checks = {plan.application_id: check.submit(plan.application_id, plan.ocr_document_ids, plan.fingerprint)
              for plan in plans if not plan.skip_reason}
    changes = [check_change.submit(plan.application_id, change.change_id, change.document_ids)
               for plan in plans for change in plan.change_checks]
    states = {plan.application_id: str(plan.state) for plan in plans}
    states |= {application_id: future.result() for application_id, future in checks.items()}
    for future in [*terminals, *changes]:
        future.result()
    notify(application_ids)  # what could not be sent at once, or what a crashed run still owes the merchant
    # Each check published its application's summary; the others, and those a terminal or change step
    # changed after their check, are published now.
    changed_later = {plan.application_id for plan in plans if plan.needs_terminal or plan.change_checks}
    if unpublished := [application_id for application_id in application_ids
                       if application_id not in checks or application_id in changed_later]:
        publish_summaries(unpublished)
    return states


@flow(name="onboard-application", flow_run_name="onboard-{application_id}", log_prints=True,
      task_runner=ThreadPoolTaskRunner(max_workers=TASK_THREADS))
def onboard_application(application_id: str, force: bool = False) -> str:
    """One application, start to decision. `force` re-evaluates even when nothing changed (ops, after a rules fix)."""
    return onboard([application_id], force)[application_id]


@flow(name="onboard-batch", flow_run_name="onboard-batch-{batch_name}", log_prints=True,
      task_runner=ThreadPoolTaskRunner(max_workers=TASK_THREADS))
def onboard_batch(application_ids: list[str], batch_name: str, force: bool = False) -> dict[str, str]:
    """Many applications in one run; each application's tasks carry its id."""
    return onboard(application_ids, force)
