"""Recording a follow-up call's outcome: one try at a time; new details given on the phone become a change
request through the same checks as any other (which is why this lives apart from `calls`, which approval uses)."""
from __future__ import annotations

from typing import Any

from onboarding.domain.calls import CallOutcome, CallState
from onboarding.domain.changes import ChangeState
from onboarding.service import changes
from onboarding.service.calls import aftercare_policy_of, call_view
from onboarding.service.change_input import ChangeInput
from onboarding.service.merchant_links import staff_alert
from onboarding.service.ports import SealedRecords


class CallNotRecorded(ValueError):
    """Bad input for a call outcome; nothing changed."""


def record_outcome(services: SealedRecords, call_id: str, outcome: str, note: str, *, actor: str,
                   change: ChangeInput | None = None) -> dict[str, Any]:
    """One try at the call. `changed` carries the new details (`change`: a `ChangeInput`), which become a
    change request through the same checks as any other; the merchant finishes it from their link."""
    try:
        chosen = CallOutcome(outcome)
    except ValueError:
        raise CallNotRecorded(f"--outcome: {outcome!r} is not one of confirmed, changed, unreachable") from None
    if chosen == CallOutcome.CHANGED and change is None:
        raise CallNotRecorded("outcome changed needs the new details (--phone, --email, --business-address or "
                              "--settlement-account)")
    if chosen != CallOutcome.CHANGED and change is not None:
        raise CallNotRecorded(f"new details go with outcome changed, not {chosen}")
    policy = aftercare_policy_of(services)
    with services.uow() as uow:
        call = uow.calls.get(call_id, for_update=True)
        application = uow.applications.get(call.application_id, for_update=True)
        now = services.clock()
        found = uow.changes.get(call.change_request_id) if call.change_request_id else None
        ended = found is not None and not found.is_open and found.state != ChangeState.APPLIED
        state = call.record(chosen, note=note, actor=actor, at=now, retry_after_hours=policy.calls.retry_after_hours,
                            change_ended=ended)
        application.record(at=now, actor=actor, action="call_recorded", reason=note.strip(),
                           details={"call": call.id, "outcome": str(chosen), "attempt": len(call.attempts),
                                    "state": state, "due_at": call.due_at.isoformat()})
        if chosen == CallOutcome.UNREACHABLE and state == CallState.ESCALATED and call.escalated_at == now:
            application.record(at=now, actor=actor, action="call_escalated",
                               reason=f"unreachable {call.unreachable_count()} times",
                               details={"call": call.id})
            for message in staff_alert(services, f"call-{call.id}-escalated",
                                       f"Follow-up call escalated: {application.id}",
                                       f"Call {call.id} ({application.id}, {application.business_name}): merchant "
                                       f"unreachable {call.unreachable_count()} times. A supervisor decides.", now):
                uow.outbox.enqueue(message)
        if chosen == CallOutcome.CHANGED:
            call.change_request_id = changes.open_change_in(
                services, uow, application, change, [], actor=f"{actor} (call {call.id})", at=now)
        uow.commit()
    return call_view(services, call_id)
