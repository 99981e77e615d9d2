"""Life after approval in the back office: the follow-up call, change requests and complaints on the case page
(three sections and their actions), and one work list of calls due, complaints with their clocks and changes
awaiting approval. Importing this module registers the sections and actions (see case_page, actions)."""
from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import Field, field_validator

from onboarding.adapters.aftercare_repository import NotFound
from onboarding.backoffice.actions import ACTIONS, FORM_READERS, Action, Body, Outcome, WithReason
from onboarding.backoffice.auth import CSRF_FIELD
from onboarding.backoffice.case_page import CASE_SECTIONS, CaseSection, add_section
from onboarding.bootstrap import Services
from onboarding.domain.calls import CallState
from onboarding.domain.changes import OPEN_CHANGE_STATES, ChangeState
from onboarding.domain.complaints import OPEN_COMPLAINT_STATES, ComplaintState
from onboarding.domain.staff import Permission
from onboarding.service import call_outcomes, calls, changes, complaints
from onboarding.service.application_input import SettlementAccount
from onboarding.service.change_input import parse_change

ID = r"^(CALL|CHG|CMP)-[0-9A-Z]{10}$"


class CallOutcomeBody(Body):
    call_id: str = Field(pattern=ID)
    outcome: Literal["confirmed", "changed", "unreachable"]
    note: str = Field(min_length=1, max_length=1000, description="What was said or tried (audit trail).")
    phone: str | None = Field(default=None, max_length=20, description="outcome changed: the new details")
    email: str | None = Field(default=None, max_length=254)
    business_address: str | None = Field(default=None, max_length=400)
    settlement_account: SettlementAccount | None = None


class ChangeDecisionBody(WithReason):
    change_id: str = Field(pattern=ID)


class ChangeCodeBody(Body):
    change_id: str = Field(pattern=ID)
    code: str = Field(pattern=r"^[0-9]{6}$", description="The code the merchant read out on the phone.")


class ComplaintOpenBody(Body):
    category: str = Field(min_length=1, max_length=32)
    text: str = Field(min_length=1, max_length=2000, description="What the merchant says.")


class ComplaintBody(Body):
    complaint_id: str = Field(pattern=ID)
    text: str | None = Field(default=None, max_length=2000, description="answer / resolve: to the merchant; "
                             "close / reopen: the reason")

    @field_validator("text")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


def _call_outcome(services, application_id, body: CallOutcomeBody, staff) -> Outcome:
    _owned(services, application_id, calls=body.call_id)
    new = {k: v for k, v in {"phone": body.phone, "email": body.email, "business_address": body.business_address,
                             "settlement_account": body.settlement_account and body.settlement_account.model_dump()
                             }.items() if v}
    view = call_outcomes.record_outcome(services, body.call_id, body.outcome, body.note, actor=staff.actor,
                                        change=parse_change(new) if new else None)
    extra = f"; change {view['change_request_id']} opened" if body.outcome == "changed" else ""
    return Outcome(f"call {body.call_id}: {body.outcome}, now {view['state']}{extra}")


def _change_decision(approve: bool):
    def run(services, application_id, body: ChangeDecisionBody, staff) -> Outcome:
        _owned(services, application_id, changes=body.change_id)
        state = changes.decide(services, body.change_id, approve, actor=staff.actor, reason=body.reason)
        return Outcome(f"change {body.change_id} {state}")
    return run


def _change_code(services, application_id, body: ChangeCodeBody, staff) -> Outcome:
    _owned(services, application_id, changes=body.change_id)
    state = changes.enter_code(services, body.change_id, body.code, actor=staff.actor)
    return Outcome(f"code confirmed; change {body.change_id} is {state}")


def _complaint_open(services, application_id, body: ComplaintOpenBody, staff) -> Outcome:
    complaint_id = complaints.open_complaint(services, application_id, body.category, body.text, actor=staff.actor)
    return Outcome(f"complaint {complaint_id} opened; its clocks run from now")


def _complaint_act(action: str):
    def run(services, application_id, body: ComplaintBody, staff) -> Outcome:
        _owned(services, application_id, complaints=body.complaint_id)
        view = complaints.act(services, body.complaint_id, action, actor=staff.actor, text=body.text or "",
                              application_id=application_id)
        return Outcome(f"complaint {body.complaint_id}: {view['state']}")
    return run


def _owned(services: Services, application_id: str, **ids: str) -> None:
    """An id of another application is refused like an unknown one."""
    with services.uow() as uow:
        for repository, item_id in ids.items():
            if getattr(uow, repository).get(item_id).application_id != application_id:
                raise NotFound(f"no {item_id} on {application_id}")


D = Permission.DECIDE
AFTERCARE_ACTIONS = (
    Action("call-record", "Record the call", D, CallOutcomeBody, _call_outcome, sends_messages=True),
    Action("change-approve", "Approve the change", D, ChangeDecisionBody, _change_decision(True),
           sends_messages=True),
    Action("change-refuse", "Refuse the change", D, ChangeDecisionBody, _change_decision(False),
           sends_messages=True),
    Action("change-code", "Enter the merchant's code", D, ChangeCodeBody, _change_code, sends_messages=True),
    Action("complaint-open", "Open a complaint", D, ComplaintOpenBody, _complaint_open, sends_messages=True),
    Action("complaint-acknowledge", "Acknowledge", D, ComplaintBody, _complaint_act("acknowledge"),
           sends_messages=True),
    Action("complaint-answer", "Answer", D, ComplaintBody, _complaint_act("answer"), sends_messages=True),
    Action("complaint-resolve", "Resolve", D, ComplaintBody, _complaint_act("resolve"), sends_messages=True),
    Action("complaint-close", "Close", D, ComplaintBody, _complaint_act("close"), sends_messages=True),
    Action("complaint-reopen", "Reopen", D, ComplaintBody, _complaint_act("reopen"), sends_messages=True),
)


def _load(services: Services, case: dict[str, Any]) -> dict[str, Any]:
    application_id = case["application_id"]
    with services.uow() as uow:
        application = uow.applications.get(application_id)
        call = calls.call_for_application(services, uow, application)
        found = [changes.change_dict(services, c) for c in uow.changes.for_application(application_id)]
        listed = complaints.complaints_for_application(services, uow, application)
    by_id = {d["id"]: d for d in case["documents"]} if case.get("documents") else {}
    for change in found:
        change["document_views"] = [by_id[i] for i in change["documents"].values() if i in by_id]
    categories = calls.aftercare_policy_of(services).complaints.categories
    return {"call": call, "changes": found, "complaints": listed,
            "categories": [{"key": k, "label": c.label.en, "label_zh": c.label.zh} for k, c in categories.items()]}


def work_list(services: Services) -> dict[str, Any]:
    """What waits on staff after approval: calls to make (due first), complaints still open (their clocks), and
    change requests awaiting a decision; the JSON of GET /api/aftercare and the page /aftercare."""
    return {
        "calls": calls.call_rows(services, [CallState.OPEN, CallState.ESCALATED]),
        "complaints": complaints.complaint_rows(services, complaints.OPEN_FILTER)
        + complaints.complaint_rows(services, str(ComplaintState.RESOLVED)),
        "changes": [c for c in changes.change_rows(services, sorted(OPEN_CHANGE_STATES))],
        "awaiting_approval": str(ChangeState.AWAITING_APPROVAL),
        "open_complaint_states": sorted(OPEN_COMPLAINT_STATES),
    }


def _call_form(form: dict[str, Any]) -> dict[str, Any]:
    def text(name: str) -> str | None:
        value = form.get(name)
        return value.strip() if isinstance(value, str) and value.strip() else None

    account = {k: text(k) for k in ("holder_name", "number", "bank_name")}
    return {"call_id": form.get("call_id", ""), "outcome": form.get("outcome", ""), "note": form.get("note", ""),
            "phone": text("phone"), "email": text("email"), "business_address": text("business_address"),
            "settlement_account": account if any(account.values()) else None}


def _plain_form(*names: str):
    return lambda form: {n: form.get(n) for n in names if isinstance(form.get(n), str) and form.get(n).strip()}


FORMS = {
    "call-record": _call_form,
    "change-approve": _plain_form("change_id", "reason"), "change-refuse": _plain_form("change_id", "reason"),
    "change-code": _plain_form("change_id", "code"), "complaint-open": _plain_form("category", "text"),
    **{f"complaint-{a}": _plain_form("complaint_id", "text")
       for a in ("acknowledge", "answer", "resolve", "close", "reopen")},
}


def build_aftercare_routes(office) -> APIRouter:
    """GET /aftercare (the work list page) and GET /api/aftercare (its JSON); the actions are case actions."""
    router = APIRouter()

    @router.get("/api/aftercare", summary="Calls due, complaints with their clocks, change requests open",
                tags=["after approval"])
    def work_json(request: Request) -> dict[str, Any]:
        office.auth.api_staff(request)
        return work_list(office.services)

    @router.get("/aftercare", include_in_schema=False)
    def work_page(request: Request) -> Response:
        staff = office.auth.page_staff(request)
        body = office.env.get_template("aftercare.html").render(
            staff=staff, csrf_field=CSRF_FIELD, path=request.url.path,
            can=lambda p: staff.role.may(Permission(p)), work=work_list(office.services))
        return HTMLResponse(body)

    return router


def register() -> None:
    """Idempotent: the section before the internal notes, the actions beside the others."""
    for action in AFTERCARE_ACTIONS:
        ACTIONS.setdefault(action.name, action)
    FORM_READERS.update(FORMS)
    if not any(s.key == "aftercare" for s in CASE_SECTIONS):
        add_section(CaseSection("aftercare", "After approval: call, changes, complaints", "sections/aftercare.html",
                                _load), before="notes")


register()
