"""Staff's decision on a message whose outcome is unknown (a provider timeout, or a sender that died after the
provider may have taken it). An SMS is never sent again by itself, because the merchant could get it twice; staff
either have it sent again or take it as delivered (e.g. after the merchant confirmed it on the phone)."""
from __future__ import annotations

from dataclasses import dataclass

from onboarding.notifications.delivery import deliver_pending
from onboarding.service.ports import SealedRecords
from onboarding.service.review import ReviewRefused, require_reason


@dataclass(frozen=True)
class MessageDecision:
    key: str
    application_id: str | None
    decision: str  # "resent" or "marked_delivered"
    sent: bool  # for a resend: whether this call delivered it (else the next delivery run does)


def decide_unknown_message(services: SealedRecords, key: str, *, resend: bool, actor: str,
                           reason: str) -> MessageDecision:
    reason = require_reason(reason)
    decision = "resent" if resend else "marked_delivered"
    with services.uow() as uow:
        row = uow.outbox.by_key(key)
        if row is None:
            raise ReviewRefused(f"no message {key!r}")
        if row["sent_at"] is not None or row["outcome_unknown_at"] is None:
            status = "sent" if row["sent_at"] is not None else "still being delivered"
            raise ReviewRefused(f"message {key} is {status}: only a message whose outcome is unknown waits for staff")
        now = services.clock()
        if not uow.outbox.settle_unknown(row["id"], now, resend=resend):
            raise ReviewRefused(f"message {key} was decided meanwhile")
        details = {"message": key, "channel": row["channel"]}
        if row["application_id"]:
            uow.applications.get(row["application_id"], for_update=True).record(
                at=now, actor=actor, action=f"message_{decision}", reason=reason, details=details)
        else:
            uow.staff.record_event(now, actor, f"message_{decision}", None, {**details, "reason": reason})
        uow.commit()
    sent = bool(resend and row["application_id"] and deliver_pending(services, row["application_id"]).sent)
    return MessageDecision(key, row["application_id"], decision, sent)
