"""Follow-up calls (回访): a call task on approval, staff record each try, the sweep flags late ones."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from onboarding.domain.calls import CallState, FollowUpCall, releases_shipping
from onboarding.domain.model import Application
from onboarding.masking import mask_name, mask_number
from onboarding.service.deposit_notices import yuan
from onboarding.service.merchant_links import staff_alert
from onboarding.service.ports import SealedRecords
from rules.aftercare_policy import Aftercare, load_aftercare_policy
from rules.deposit_policy import load_deposit_policies

ACTOR = "engine"


def aftercare_policy_of(services: SealedRecords) -> Aftercare:
    return load_aftercare_policy(services.settings.rules_dir)


def schedule_call(services: SealedRecords, uow, application: Application, at: datetime,
                  actor: str) -> FollowUpCall | None:
    """On approval, inside its transaction: a call task for the merchant types the rule files name."""
    policy = aftercare_policy_of(services)
    calls = policy.calls
    if not calls.calls(application.merchant_type) or uow.calls.for_one_application(application.id) is not None:
        return None
    call = FollowUpCall(application_id=application.id, created_at=at,
                        due_at=policy.clock_end(at, calls.due_hours * 60, calls.hours),
                        confirm=[str(item) for item in calls.confirm],
                        blocks_shipping=calls.shipping_waits(application.merchant_type),
                        policy_version=policy.version_label)
    uow.calls.add(call)
    application.record(at=at, actor=actor, action="call_scheduled", reason="follow-up call after approval",
                       details={"call": call.id, "due_at": call.due_at.isoformat(),
                                "blocks_shipping": call.blocks_shipping})
    return call


def shipping_hold(uow, application_id: str) -> str | None:
    """Why the terminal may not ship yet, or None. Read inside the shipping transaction."""
    call = uow.calls.for_one_application(application_id)
    change = uow.changes.get(call.change_request_id) if call and call.change_request_id else None
    if releases_shipping(call, change.state if change else None):
        return None
    if call.state == CallState.CHANGED and change is not None and not change.is_open:
        return (f"follow-up call {call.id} found changed details but change {change.id} was {change.state}; "
                f"call the merchant again (onboard calls record {call.id} …)")
    if call.state == CallState.CHANGED:
        return (f"follow-up call {call.id} found changed details; shipping waits until change "
                f"{call.change_request_id} is applied (it is {change.state if change else 'missing'})")
    return f"shipping waits for follow-up call {call.id} to confirm the merchant's details (it is {call.state})"


def flag_overdue_calls(services: SealedRecords, as_of: datetime, actor: str = "sweep") -> int:
    """Tells staff (audit, queue, alert e-mail) once per try that a call is late."""
    with services.uow() as uow:
        due = uow.calls.newly_overdue(as_of)
        for call in due:
            call.overdue_flagged_at = as_of
            application = uow.applications.get(call.application_id)
            application.record(at=as_of, actor=actor, action="call_overdue",
                               reason=f"follow-up call due {call.due_at.isoformat()} not made",
                               details={"call": call.id, "attempts": len(call.attempts)})
            for message in staff_alert(services, f"call-{call.id}-overdue-{len(call.attempts)}",
                                       f"Follow-up call overdue: {application.id}",
                                       f"Call {call.id} ({application.id}, {application.business_name}) was due "
                                       f"{call.due_at.isoformat()}.", as_of):
                uow.outbox.enqueue(message)
        uow.commit()
        return len(due)


# ---- views -------------------------------------------------------------------------------------


def deposit_terms(services: SealedRecords, device_model: str) -> dict[str, str]:
    policy = load_deposit_policies(services.settings.rules_dir).for_model(device_model)
    return {
        "zh": (f"押金 {yuan(policy.amount_fen)}；发货后 {policy.activation_window_days} 天内首笔刷卡不低于 "
               f"{yuan(policy.activation_min_amount_fen)} 即激活；激活后 {policy.window_days} 天内交易满 "
               f"{yuan(policy.threshold_fen)} 退还押金"),
        "en": (f"deposit {yuan(policy.amount_fen)}; activated by a first card sale of at least "
               f"{yuan(policy.activation_min_amount_fen)} within {policy.activation_window_days} days of shipping; "
               f"refunded once qualifying sales reach {yuan(policy.threshold_fen)} within {policy.window_days} days "
               f"of activation"),
    }


def _confirm_values(services: SealedRecords, application: Application, items: list[str]) -> list[dict[str, Any]]:
    values = {
        "legal_name": mask_name(application.legal_name),
        "business_address": application.business_address,
        "settlement_last4": application.settlement_number[-4:],
        "device_model": application.device_model,
        "deposit_terms": deposit_terms(services, application.device_model)["zh"],
    }
    return [{"item": item, "value": values.get(item)} for item in items]


def _local(services: SealedRecords, value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(ZoneInfo(services.settings.timezone)).isoformat()


def _row(services: SealedRecords, call: FollowUpCall, application: Application, now: datetime,
         reveal: bool) -> dict[str, Any]:
    return {
        "call_id": call.id, "application_id": application.id, "state": str(call.state),
        "whom": {"business_name": application.business_name, "legal_name": mask_name(application.legal_name),
                 "phone": application.phone if reveal else mask_number(application.phone)},
        "confirm": _confirm_values(services, application, call.confirm),
        "due_at": _local(services, call.due_at), "overdue": call.is_overdue(now),
        "attempts": [{**a, "at": _local(services, datetime.fromisoformat(a["at"]))} for a in call.attempts],
        "blocks_shipping": call.blocks_shipping, "escalated_at": _local(services, call.escalated_at),
        "closed_at": _local(services, call.closed_at), "change_request_id": call.change_request_id,
        "created_at": _local(services, call.created_at), "policy_version": call.policy_version,
    }


def call_rows(services: SealedRecords, states: list[str] | None = None, *, reveal: bool = False,
              actor: str | None = None, reason: str | None = None) -> list[dict[str, Any]]:
    """Every call (or those in `states`), due first. `reveal` shows the phone numbers to dial, audited per
    application with who asked and why."""
    now = services.clock()
    with services.uow() as uow:
        rows = []
        for call in uow.calls.in_states(states):
            application = uow.applications.get(call.application_id)
            if reveal:
                application.record(at=now, actor=actor or "unattributed", action="pii_revealed",
                                   reason=(reason or "").strip() or "no reason given", details={"fields": ["phone"]})
            rows.append(_row(services, call, application, now, reveal))
        if reveal:
            uow.commit()
    return rows


def call_view(services: SealedRecords, call_id: str) -> dict[str, Any]:
    with services.uow() as uow:
        call = uow.calls.get(call_id)
        return _row(services, call, uow.applications.get(call.application_id), services.clock(), False)


def call_for_application(services: SealedRecords, uow, application: Application) -> dict[str, Any] | None:
    call = uow.calls.for_one_application(application.id)
    return None if call is None else _row(services, call, application, services.clock(), False)
