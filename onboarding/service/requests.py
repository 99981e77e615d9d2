"""Supplementary-material requests: opened and closed with each decision, reminded and expired by the sweep."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from onboarding.domain.model import Application
from onboarding.domain.requests import RequestStatus, new_upload_token
from onboarding.notifications import messages
from onboarding.notifications.outbox import enqueue_notice
from onboarding.service.calls import schedule_call
from onboarding.service.merchant_links import link_for_notice, link_url, links_revoked
from onboarding.service.ports import RequestServices
from rules.model import Decision, Outcome
from rules.schema import Effect

ITEM_FIELDS = ("code", "document_type", "field", "message_zh", "message_en", "staff_note", "uploads")


def issue_link(services: RequestServices, application: Application, request, at: datetime) -> str:
    """A fresh link for one message. Found by its hash; the sealed copy lets staff resend it."""
    token, token_hash = new_upload_token()
    application.issue_link(token_hash, at=at, expires_at=request.due_at, sealed_token=services.sealer.seal(token))
    return link_url(services, token)


def after_decision(services: RequestServices, uow, application: Application, decision: Decision, at: datetime,
                   actor: str) -> None:
    """Runs inside the decision's transaction, so the request, the state and the outbox commit together."""
    if decision.outcome == Outcome.NEEDS_DOCUMENTS:
        items = _items(decision)
        if application.asks_nothing_new(items):
            # The merchant's page shows the answer (the refused picture and why) at once; a new round, link
            # and message only when a decision asks for a document the open round does not.
            application.revise_open_request(items, at=at, actor=actor)
            return
        open_round(services, uow, application, decision, at, actor)
    elif decision.outcome == Outcome.APPROVED:
        application.close_open_request(RequestStatus.SATISFIED, at=at, actor=actor, reason="all checks passed")
        call = schedule_call(services, uow, application, at, actor)
        call_by = call.due_at.astimezone(ZoneInfo(services.settings.timezone)).strftime("%Y-%m-%d %H:%M") \
            if call else None
        enqueue_notice(uow, application, messages.application_approved(
            application.id, application.business_name, link_for_notice(services, application, at), call_by), at)
    elif decision.outcome == Outcome.MANUAL_REVIEW:
        application.close_open_request(RequestStatus.SATISFIED, at=at, actor=actor, reason="staff review remains")
        enqueue_notice(uow, application, messages.application_in_review(application.id), at)
    elif decision.outcome == Outcome.REJECTED:
        application.close_open_request(RequestStatus.CANCELLED, at=at, actor=actor, reason="application rejected")
        # Only what the merchant may read: catalogued staff-only findings (a possible duplicate) never leave;
        # the reasons for the rejection (a rejecting code, or staff's own code and words) do.
        catalogue = services.ruleset.catalogue
        told = [d for d in decision.deficiencies if d.merchant_fixable or d.code not in catalogue.codes
                or catalogue.effect(d.code, d.variant) == Effect.REJECT]
        enqueue_notice(uow, application, messages.application_rejected(
            application.id, [d.message_zh for d in told], [d.message_en for d in told]), at)


def _items(decision: Decision) -> list[dict]:
    return [{k: d.model_dump(mode="json")[k] for k in ITEM_FIELDS} for d in decision.deficiencies if d.merchant_fixable]


def open_round(services: RequestServices, uow, application: Application, decision: Decision, at: datetime,
               actor: str, due_at: datetime | None = None):
    """A new round for the decision's merchant-fixable items: one message, one fresh link, reminders scheduled."""
    items = _items(decision)
    request = application.request_documents(
        items, at=at, due_at=due_at or at + timedelta(days=services.settings.request_due_days), actor=actor)
    request.schedule_reminders(services.settings.reminder_hours)
    send_round(services, uow, application, request, at)
    return request


def send_round(services: RequestServices, uow, application: Application, request, at: datetime, resend: int = 0) -> None:
    """The round's message with a fresh link (`resend` > 0: the same round again, e.g. to a corrected phone).

    After staff revoked the links, a new round (e.g. from an upload staff made for the merchant) sends nothing:
    only a re-issue to a changed contact (`resend`) mints a link again."""
    if not resend and links_revoked(application):
        application.record(at=at, actor="engine", action="message_withheld",
                           reason="links revoked; staff change the contact and re-issue",
                           details={"round": request.round_number})
        return
    notice = messages.request_opened(
        application.id, application.business_name, request.open_items, issue_link(services, application, request, at),
        request.due_at, ZoneInfo(services.settings.timezone), request.round_number)
    if resend:
        notice = replace(notice, event=f"{notice.event}-resend-{resend}")
    enqueue_notice(uow, application, notice, at)


def revoke_links(services: RequestServices, application_id: str, *, actor: str, reason: str) -> int:
    """Staff: every upload link of the application stops working at once."""
    with services.uow() as uow:
        application = uow.applications.get(application_id, for_update=True)
        revoked = application.revoke_links(at=services.clock(), actor=actor, reason=reason)
        uow.commit()
        return revoked
