"""Every action staff can take on a case: who may, what it takes, which service does it, and whether the checks
run again after it. The JSON API and the case page's forms both go through this table."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from onboarding.bootstrap import Services
from onboarding.domain.staff import Permission
from onboarding.domain.states import ApplicationState as S
from onboarding.service import casework, duplicates, review
from onboarding.service.staff import StaffSession
from onboarding.service.terminals import ship

class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class WithReason(Body):
    reason: str = Field(min_length=1, max_length=1000, description="Why: kept in the audit trail, never sent.")


class RejectBody(WithReason):
    code: str | None = Field(default=None, max_length=64, description="Deficiency code recorded with the "
                             "rejection (default rejected_by_staff).")
    message_zh: str | None = Field(default=None, max_length=500, description="What the merchant reads (Chinese).")
    message_en: str | None = Field(default=None, max_length=500, description="What the merchant reads (English).")


class AcceptBody(WithReason):
    code: str = Field(min_length=1, max_length=64)
    document_type: str | None = Field(default=None, max_length=32)


class DocumentChoice(Body):
    document_type: str = Field(min_length=1, max_length=32)
    message_zh: str | None = Field(default=None, max_length=500)
    message_en: str | None = Field(default=None, max_length=500)


class RequestBody(WithReason):
    documents: list[DocumentChoice | str] = Field(min_length=1, max_length=8, description="Document types, or "
                                                   "objects with the merchant's words for each.")
    message_zh: str | None = Field(default=None, max_length=500, description="Words for every document that has "
                                   "none of its own (Chinese).")
    message_en: str | None = Field(default=None, max_length=500)


class AssignBody(Body):
    assignee: str = Field(min_length=1, max_length=64)


class NoteBody(Body):
    text: str = Field(min_length=1, max_length=4000)


class EditBody(WithReason):
    fields: dict[str, str] = Field(min_length=1, max_length=10, description="Field name → new value.")


class ExtendBody(WithReason):
    due_at: datetime = Field(description="ISO 8601 with a UTC offset.")

    @field_validator("due_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("needs a UTC offset, e.g. 2026-12-01T18:00:00+08:00")
        return value


class ContactBody(WithReason):
    phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=254)


class RerunBody(WithReason):
    from_step: Literal["ocr", "check"] = "check"


class RevealBody(WithReason):
    field: str = Field(min_length=1, max_length=64)


class NotDuplicateBody(WithReason):
    others: list[str] | None = Field(default=None, max_length=50, description="Application ids; default all.")


class ShipBody(Body):
    serial_number: str | None = Field(default=None, max_length=40)


@dataclass(frozen=True)
class Outcome:
    message: str
    run_from: str | None = None  # start the checks from this step
    run: bool = False
    value: Any = None  # a revealed value


Runner = Callable[[Services, str, Any, StaffSession], Outcome]


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    permission: Permission
    body: type[Body]
    run: Runner
    offered_in: frozenset[S] | None = None  # where the case page shows it (None: always); the service decides
    sends_messages: bool = False  # queues a message to the merchant, sent right after


def _approve(services, application_id, body: WithReason, staff) -> Outcome:
    review.approve(services, application_id, actor=staff.actor, reason=body.reason)
    return Outcome("approved")


def _reject(services, application_id, body: RejectBody, staff) -> Outcome:
    review.reject(services, application_id, actor=staff.actor, reason=body.reason, code=body.code,
                  message_zh=body.message_zh, message_en=body.message_en)
    return Outcome("rejected; the merchant is told")


def _accept(services, application_id, body: AcceptBody, staff) -> Outcome:
    review.waive(services, application_id, body.code, body.document_type or None, actor=staff.actor,
                 reason=body.reason)
    return Outcome(f"{body.code} accepted; the checks run again", run=True, run_from="check")


def _request(services, application_id, body: RequestBody, staff) -> Outcome:
    chosen = [review.RequestedDocument(d, body.message_zh, body.message_en) if isinstance(d, str)
              else review.RequestedDocument(d.document_type, d.message_zh or body.message_zh,
                                            d.message_en or body.message_en) for d in body.documents]
    number = review.request_documents(services, application_id, chosen, actor=staff.actor, reason=body.reason)
    return Outcome(f"round {number} sent to the merchant: {len(chosen)} document(s), one message")


def _assign(services, application_id, body: AssignBody, staff) -> Outcome:
    casework.assign(services, application_id, body.assignee, actor=staff.actor)
    return Outcome(f"assigned to {body.assignee}")


def _claim(services, application_id, body: Body, staff) -> Outcome:
    casework.assign(services, application_id, staff.username, actor=staff.actor)
    return Outcome("assigned to you")


def _unassign(services, application_id, body: Body, staff) -> Outcome:
    casework.unassign(services, application_id, actor=staff.actor)
    return Outcome("unassigned")


def _note(services, application_id, body: NoteBody, staff) -> Outcome:
    casework.add_note(services, application_id, body.text, actor=staff.actor)
    return Outcome("note added")


def _edit(services, application_id, body: EditBody, staff) -> Outcome:
    changed = casework.edit_fields(services, application_id, body.fields, actor=staff.actor, reason=body.reason)
    return Outcome(f"changed {', '.join(changed)}; the checks run again", run=True, run_from="check")


def _withdraw(services, application_id, body: WithReason, staff) -> Outcome:
    casework.withdraw(services, application_id, actor=staff.actor, reason=body.reason)
    return Outcome("withdrawn; links stopped; the merchant is told")


def _reopen(services, application_id, body: WithReason, staff) -> Outcome:
    number = casework.reopen(services, application_id, actor=staff.actor, reason=body.reason)
    return Outcome(f"reopened: round {number} sent with a new link")


def _extend(services, application_id, body: ExtendBody, staff) -> Outcome:
    casework.extend_due(services, application_id, body.due_at, actor=staff.actor, reason=body.reason)
    return Outcome("due time extended")


def _contact(services, application_id, body: ContactBody, staff) -> Outcome:
    reissued = casework.change_contact(services, application_id, phone=body.phone, email=body.email,
                                       actor=staff.actor, reason=body.reason)
    return Outcome("contact changed" + ("; old links stopped, a new link was sent" if reissued else ""))


def _rerun(services, application_id, body: RerunBody, staff) -> Outcome:
    casework.record_rerun(services, application_id, actor=staff.actor, reason=body.reason, from_step=body.from_step)
    return Outcome(f"checks started from {body.from_step}", run=True, run_from=body.from_step)


def _reveal(services, application_id, body: RevealBody, staff) -> Outcome:
    value = casework.reveal(services, application_id, body.field, actor=staff.actor, reason=body.reason)
    return Outcome(f"{body.field} revealed (recorded in the audit trail)", value=value)


def _not_duplicate(services, application_id, body: NotDuplicateBody, staff) -> Outcome:
    cleared = duplicates.clear(services, application_id, body.others, actor=staff.actor, reason=body.reason)
    return Outcome(f"{cleared} possible duplicate(s) cleared; the checks run again", run=True, run_from="check")


def _ship(services, application_id, body: ShipBody, staff) -> Outcome:
    shipment = ship(services, application_id, body.serial_number or None, actor=staff.actor)
    return Outcome(f"terminal {shipment.serial_number} shipped" +
                   (" (already shipped)" if shipment.already_shipped else "; deposit held"))


# Readers of the case page's form fields into an action's body, for actions registered elsewhere
# (onboarding.backoffice.aftercare); the built-in ones are read in pages.form_body.
FORM_READERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}

REVIEWABLE = review.REVIEWABLE
D, O = Permission.DECIDE, Permission.OPERATE

ACTIONS: dict[str, Action] = {a.name: a for a in (
    Action("approve", "Approve", D, WithReason, _approve, REVIEWABLE, sends_messages=True),
    Action("reject", "Reject", D, RejectBody, _reject, REVIEWABLE | {S.SUBMITTED}, sends_messages=True),
    Action("accept", "Accept finding", D, AcceptBody, _accept, REVIEWABLE),
    Action("request", "Request documents", D, RequestBody, _request, REVIEWABLE, sends_messages=True),
    Action("assign", "Assign", D, AssignBody, _assign),
    Action("claim", "Claim", D, Body, _claim),
    Action("unassign", "Unassign", D, Body, _unassign),
    Action("note", "Add note", D, NoteBody, _note),
    Action("edit", "Edit fields", D, EditBody, _edit, casework.EDITABLE_STATES),
    Action("withdraw", "Withdraw", D, WithReason, _withdraw, casework.WITHDRAWABLE_STATES, sends_messages=True),
    Action("reopen", "Reopen", D, WithReason, _reopen, frozenset({S.EXPIRED}), sends_messages=True),
    Action("extend", "Extend due time", D, ExtendBody, _extend, frozenset({S.NEEDS_DOCUMENTS})),
    Action("contact", "Change contact / re-issue link", D, ContactBody, _contact,
           frozenset(S) - casework.CONTACT_CLOSED_STATES, sends_messages=True),
    Action("reveal", "Reveal", D, RevealBody, _reveal),
    Action("not-duplicate", "Not a duplicate", D, NotDuplicateBody, _not_duplicate),
    Action("rerun", "Rerun checks", O, RerunBody, _rerun, frozenset(S) - {S.CHECKING}),
    Action("ship", "Ship terminal", O, ShipBody, _ship, frozenset({S.APPROVED}), sends_messages=True),
)}
