"""What a merchant's page says beyond the documents it asks for: where the application stands, what happens
next and by when, the terminal's activation, the deposit's progress and refund, their complaints and changes.

Plain values for the portal's templates (which hold the words, Chinese and English); nothing here is HTML.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from onboarding.domain.calls import CallState
from onboarding.domain.complaints import ComplaintState
from onboarding.domain.model import Application
from onboarding.domain.states import ApplicationState as S
from onboarding.domain.terminals import DepositState, TerminalState
from onboarding.service.calls import aftercare_policy_of
from onboarding.service.changes import masked
from onboarding.service.complaints import complaint_dict
from onboarding.service.deposit_progress import deposit_progress
from onboarding.service.ports import CaseServices
from onboarding.service.terminals import policies_of

REVIEW_HOURS = 24  # what the in-review message promises
STEPS = ("submitted", "review", "call", "shipped", "active", "refunded")


class Step(BaseModel):
    key: str
    status: str  # done | current | todo


class NextStep(BaseModel):
    key: str  # the text key the template words it with
    by: datetime | None = None
    values: dict[str, Any] = {}


class MerchantStatus(BaseModel):
    application_id: str
    merchant_type: str
    state: str
    steps: list[Step]
    next: NextStep
    terminal: dict[str, Any] | None = None
    deposit: dict[str, Any] | None = None
    complaints: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    open_change: dict[str, Any] | None = None
    categories: list[dict[str, str]] = []
    change_documents: dict[str, list[str]] = {}  # field → document types a change of it needs
    can_change: bool = False
    settlement_last4: str = ""


def _steps(application: Application, call, terminal, deposit) -> list[Step]:
    state = application.state
    reached = {"submitted": True,
               "review": state in (S.APPROVED, S.SHIPPED, S.ACTIVE),
               "call": call is None or call.state == CallState.CONFIRMED or state in (S.SHIPPED, S.ACTIVE)
               or (call.state == CallState.CHANGED and state != S.APPROVED),
               "shipped": terminal is not None and terminal.state != TerminalState.ASSIGNED
               and terminal.state != TerminalState.IN_STOCK,
               "active": state == S.ACTIVE,
               "refunded": deposit is not None and deposit.state == DepositState.REFUNDED}
    keys = [k for k in STEPS if k != "call" or call is not None]
    steps, current_given = [], False
    for key in keys:
        if reached[key]:
            steps.append(Step(key=key, status="done"))
        elif not current_given:
            steps.append(Step(key=key, status="current"))
            current_given = True
        else:
            steps.append(Step(key=key, status="todo"))
    return steps


def _next(services: CaseServices, application: Application, call, terminal, deposit, progress, open_change) -> NextStep:
    state = application.state
    if state in (S.SUBMITTED, S.CHECKING):
        return NextStep(key="next_checking")
    if state == S.NEEDS_DOCUMENTS:
        request = application.open_request
        return NextStep(key="next_upload", by=request.due_at if request else None)
    if state == S.MANUAL_REVIEW:
        return NextStep(key="next_review", by=(application.state_changed_at or application.created_at)
                        + timedelta(hours=REVIEW_HOURS))
    if state == S.APPROVED:
        if call is not None and call.state in (CallState.OPEN, CallState.ESCALATED):
            return NextStep(key="next_call", by=call.due_at)
        if call is not None and call.state == CallState.CHANGED and call.blocks_shipping:
            return NextStep(key="next_change_then_ship")
        return NextStep(key="next_ship")
    if state == S.SHIPPED and terminal is not None:
        policy = policies_of(services).for_model(terminal.model)
        return NextStep(key="next_activate", by=terminal.activation_deadline,
                        values={"min_fen": policy.activation_min_amount_fen})
    if deposit is not None and progress is not None:
        if deposit.state == DepositState.REFUNDED:
            return NextStep(key="next_refunded", by=deposit.decided_at)
        if deposit.state == DepositState.FORFEITED:
            return NextStep(key="next_forfeited")
        if open_change is not None and open_change.changes_settlement and \
                progress["qualifying_volume_fen"] >= deposit.threshold_fen:
            return NextStep(key="next_refund_after_change")
        return NextStep(key="next_deposit", by=deposit.deadline)
    return NextStep(key="next_nothing")


def merchant_status(services: CaseServices, uow, application: Application) -> MerchantStatus:
    now = services.clock()
    call = uow.calls.for_one_application(application.id)
    terminal = uow.ledger.terminal_for_application(application.id)
    deposit = uow.ledger.deposit_for(application.id)
    progress = deposit_progress(services, uow, application.id, now) if deposit is not None else None
    changes = uow.changes.for_application(application.id)
    open_change = next((c for c in changes if c.is_open), None)
    policy = aftercare_policy_of(services)
    terminal_view = None
    if terminal is not None and terminal.state != TerminalState.IN_STOCK:
        model = policies_of(services).for_model(terminal.model)
        terminal_view = {"serial_number": terminal.serial_number, "model": terminal.model,
                         "state": str(terminal.state), "shipped_at": terminal.shipped_at,
                         "activation_deadline": terminal.activation_deadline, "activated_at": terminal.activated_at,
                         "activation_min_fen": model.activation_min_amount_fen,
                         "activation_window_days": model.activation_window_days,
                         "activation_channels": sorted(str(c) for c in model.qualifying_channels)}
    deposit_view = None
    if deposit is not None and progress is not None:
        deposit_view = {**progress, "deadline_at": deposit.deadline, "decided_at": deposit.decided_at,
                        "window_days": deposit.window_days,
                        "refund_waits_for_change": bool(open_change and open_change.changes_settlement
                                                        and deposit.state == DepositState.HELD)}
    complaints = []
    for complaint in uow.complaints.for_application(application.id):
        view = complaint_dict(services, uow, complaint, now, with_deposit=False)
        view["to_merchant"] = [m for m in view["messages"] if m["to_merchant"]]
        view["can_confirm"] = complaint.state == ComplaintState.RESOLVED
        complaints.append(view)
    complaints.sort(key=lambda c: (c["state"] == "closed", c["opened_at"]), reverse=False)
    open_view = None
    if open_change is not None:
        open_view = {"change_id": open_change.id, "state": str(open_change.state), "fields": open_change.fields,
                     "codes": open_change.codes_pending(), "documents": open_change.documents_wanted(),
                     "to": {c: masked({c: open_change.proposed[c]})[c] for c in open_change.codes_pending()},
                     "findings": [f for f in open_change.findings if f.get("merchant_fixable")
                                  and not f.get("warning")]}
    merchant_type = str(application.merchant_type)
    return MerchantStatus(
        application_id=application.id, merchant_type=merchant_type, state=str(application.state),
        steps=_steps(application, call, terminal, deposit),
        next=_next(services, application, call, terminal, deposit, progress, open_change),
        terminal=terminal_view, deposit=deposit_view, complaints=complaints,
        changes=[{"change_id": c.id, "state": str(c.state), "fields": c.fields, "decided_at": c.decided_at,
                  "created_at": c.created_at} for c in changes if not c.is_open][-3:],
        open_change=open_view,
        categories=[{"key": key, "zh": c.label.zh, "en": c.label.en} for key, c in policy.complaints.categories.items()],
        change_documents={f: [str(t) for t in policy.changes.documents_for(f, merchant_type)]
                          for f in ("business_address", "settlement_account")},
        can_change=application.state in (S.APPROVED, S.SHIPPED, S.ACTIVE) and open_change is None,
        settlement_last4=application.settlement_number[-4:],
    )

