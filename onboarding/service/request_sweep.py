"""Reminders and expiry of open requests, in batches: the domain's rules (`domain.requests`) decide for each
request what is due, and the batch is written set-based (`adapters.request_sweep_sql`)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from onboarding.adapters.request_sweep_sql import DueRequest, RequestChangedMeanwhile, SweepWrites
from onboarding.domain.model import audit_fields
from onboarding.domain.requests import RequestStatus, new_upload_token, next_reminder_at, open_items, reminders_due
from onboarding.domain.states import ApplicationState
from onboarding.notifications import messages
from onboarding.notifications.outbox import notice_messages
from onboarding.service.ports import RequestServices
from onboarding.service.requests import link_url

BATCH = 2000
ATTEMPTS = 5  # a batch is read again when something changed one of its requests meanwhile
ACTOR = "sweep"


def sweep_requests(services: RequestServices, as_of: datetime) -> dict[str, int]:
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
        after_id = due[-1].id


def plan_batch(services: RequestServices, due: list[DueRequest], as_of: datetime) -> tuple[SweepWrites, dict[str, int]]:
    writes, counts = SweepWrites(), {"reminders": 0, "expired": 0}
    for request in due:
        if as_of >= request.due_at:
            _expire(request, as_of, writes)
            counts["expired"] += 1
        else:
            counts["reminders"] += _remind(services, request, as_of, writes)
    return writes, counts


def _expire(request: DueRequest, as_of: datetime, writes: SweepWrites) -> None:
    """Unanswered items stay open on the closed request, for the record."""
    application_id = request.application_id
    writes.requests.append(_request_row(request, status=RequestStatus.EXPIRED, closed_at=as_of,
                                        reminders_sent=request.reminders_sent, next_reminder=None))
    if request.application_state == ApplicationState.NEEDS_DOCUMENTS:
        writes.expired_application_ids.append(application_id)
        reason = f"no documents by {request.due_at.isoformat()}"
        writes.events.append(audit_fields(application_id, at=as_of, actor=ACTOR, action="transition", reason=reason,
                                          from_state=ApplicationState.NEEDS_DOCUMENTS,
                                          to_state=ApplicationState.EXPIRED))
    writes.messages += notice_messages(application_id, request.phone, request.email,
                                       messages.application_expired(application_id), as_of)


def _remind(services: RequestServices, request: DueRequest, as_of: datetime, writes: SweepWrites) -> int:
    """Each reminder re-sends the round's current link. After staff revoked the links (a lost phone) nothing goes
    out: a new link is sent only when staff change the contact and re-issue (`onboard reissue`)."""
    hours = services.settings.reminder_hours
    sent = list(request.reminders_sent)
    labels = reminders_due(request.created_at, sent, as_of, hours)
    withheld = request.latest_link is not None and request.latest_link.revoked_at is not None
    url = None if withheld or not labels else _current_link(services, request, as_of, writes)
    for label in labels:
        sent.append(label)
        application_id = request.application_id
        writes.events.append(audit_fields(
            application_id, at=as_of, actor=ACTOR, action="reminder_withheld" if withheld else "reminder_sent",
            reason=f"{label}: links revoked, waiting for staff to re-issue" if withheld else label,
            details={"round": request.round_number}))
        if withheld:
            continue
        writes.messages += notice_messages(application_id, request.phone, request.email, messages.request_reminder(
            application_id, open_items(request.items), url, request.due_at,
            ZoneInfo(services.settings.timezone), f"r{request.round_number}-{label}"), as_of)
    # Rescheduled even when nothing was due, so a request is never found due again for nothing.
    writes.requests.append(_request_row(request, status=RequestStatus.OPEN, closed_at=None, reminders_sent=sent,
                                        next_reminder=next_reminder_at(request.created_at, sent, hours)))
    return 0 if withheld else len(labels)


def _current_link(services: RequestServices, request: DueRequest, as_of: datetime, writes: SweepWrites) -> str:
    """The newest link while it works; a new one only when it has run out (or predates sealed copies)."""
    link = request.latest_link
    if link is not None and link.sealed_token and as_of < link.expires_at:
        return link_url(services, services.sealer.open(link.sealed_token))
    token, token_hash = new_upload_token()
    writes.links.append({"application_id": request.application_id, "token_hash": token_hash, "created_at": as_of,
                         "expires_at": request.due_at, "sealed_token": services.sealer.seal(token)})
    return link_url(services, token)


def _request_row(request: DueRequest, *, status: RequestStatus, closed_at: datetime | None,
                 reminders_sent: list[str], next_reminder: datetime | None) -> dict:
    return {"request_id": request.id, "read_next": request.next_reminder_at, "new_status": str(status),
            "new_closed_at": closed_at, "new_reminders_sent": reminders_sent, "new_next": next_reminder}

