"""Reminders and expiry of open requests, in batches: the domain decides for each request what is due
(`SupplementaryRequest`), the batch is written set-based (`adapters.request_sweep_sql`)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from onboarding.adapters.request_sweep_sql import DueRequest, RequestChangedMeanwhile, SweepWrites
from onboarding.bootstrap import Services
from onboarding.domain.model import AuditEvent
from onboarding.domain.requests import RequestStatus, UploadLink, new_upload_token
from onboarding.domain.states import ApplicationState
from onboarding.notifications import messages
from onboarding.notifications.outbox import notice_messages
from onboarding.service.requests import link_url

BATCH = 2000
ATTEMPTS = 5  # a batch is read again when something changed one of its requests meanwhile
ACTOR = "sweep"


def sweep_requests(services: Services, as_of: datetime) -> dict[str, int]:
    """Visits only requests with something due (indexed on due and reminder times), each once per sweep."""
    report = {"reminders": 0, "expired": 0}
    after_id = 0
    while True:
        for attempt in range(ATTEMPTS):
            try:
                with services.uow() as uow:
                    due = uow.request_sweep.due(as_of, after_id, BATCH)
                    writes, counts = plan_batch(services, due, as_of)
                    uow.request_sweep.write(writes, as_of)
                    uow.commit()
                break
            except RequestChangedMeanwhile:
                if attempt == ATTEMPTS - 1:
                    raise
        if not due:
            return report
        report = {k: report[k] + counts[k] for k in report}
        after_id = due[-1].request.id


def plan_batch(services: Services, due: list[DueRequest], as_of: datetime) -> tuple[SweepWrites, dict[str, int]]:
    tz = ZoneInfo(services.settings.timezone)
    hours = services.settings.reminder_hours
    writes, counts = SweepWrites(), {"reminders": 0, "expired": 0}
    for row in due:
        request, application_id = row.request, row.request.application_id
        read_next = request.next_reminder_at
        if as_of >= request.due_at:
            request.close(RequestStatus.EXPIRED, as_of)
            request.next_reminder_at = None
            if row.application_state == ApplicationState.NEEDS_DOCUMENTS:
                writes.expired_application_ids.append(application_id)
                writes.events.append(AuditEvent(
                    application_id=application_id, at=as_of, actor=ACTOR, action="transition",
                    from_state=ApplicationState.NEEDS_DOCUMENTS, to_state=ApplicationState.EXPIRED,
                    reason=f"no documents by {request.due_at.isoformat()}"))
            writes.messages += notice_messages(application_id, row.phone, row.email,
                                               messages.application_expired(application_id), as_of)
            counts["expired"] += 1
        for label in request.reminders_due(as_of, hours) if request.is_open else []:
            request.mark_reminded(label, hours)
            writes.events.append(AuditEvent(application_id=application_id, at=as_of, actor=ACTOR,
                                            action="reminder_sent", reason=label,
                                            details={"round": request.round_number}))
            token, token_hash = new_upload_token()
            writes.links.append(UploadLink(application_id=application_id, token_hash=token_hash, created_at=as_of,
                                           expires_at=request.due_at, sealed_token=services.sealer.seal(token)))
            writes.messages += notice_messages(application_id, row.phone, row.email, messages.request_reminder(
                application_id, request.open_items, link_url(services, token), request.due_at, tz,
                f"r{request.round_number}-{label}"), as_of)
            counts["reminders"] += 1
        writes.requests.append((request, read_next))
    return writes, counts
