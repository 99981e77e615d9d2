"""Staff work on a case beyond the decision: assignment, notes, edits, withdrawal, reopening, deadlines, contact
changes, revealing PII. Each is one audited transaction; each refusal says what the state allows.

Actions that change what the checks see (an edit, "not a duplicate") leave starting the checks to the caller.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import EmailStr, TypeAdapter, ValidationError

from documents.types import DocumentType
from onboarding.domain.model import Application, AuditEvent
from onboarding.domain.requests import RequestStatus
from onboarding.domain.states import ApplicationState as S
from onboarding.masking import mask_value
from onboarding.notifications import messages
from onboarding.notifications.outbox import enqueue_notice
from onboarding.service import requests
from onboarding.service.application_input import InvalidApplication, PHONE, parse_application
from onboarding.service.merchant_links import link_for_notice, links_revoked
from onboarding.service.ports import CheckServices
from onboarding.service.review import ReviewRefused, require_reason, require_state
from onboarding.service.search_index import index_application
from rules.deposit_policy import load_deposit_policies

MAX_NOTE = 4000
MAX_EXTENSION_DAYS = 60
# What an edit may change; phone and e-mail go through `change_contact`, which re-issues the link.
EDITABLE_FIELDS = ("legal_name", "id_number", "business_name", "business_address", "settlement_holder_name",
                   "settlement_number", "settlement_bank", "device_model")
EDITABLE_STATES = frozenset({S.SUBMITTED, S.NEEDS_DOCUMENTS, S.MANUAL_REVIEW})
WITHDRAWABLE_STATES = frozenset({S.SUBMITTED, S.NEEDS_DOCUMENTS, S.MANUAL_REVIEW, S.APPROVED})
CONTACT_CLOSED_STATES = frozenset({S.REJECTED, S.WITHDRAWN})
NAME_FIELDS = frozenset({"legal_name", "settlement_holder_name"})
NUMBER_FIELDS = frozenset({"id_number", "phone", "settlement_number"})
REVEALABLE_FIELDS = NAME_FIELDS | NUMBER_FIELDS
_EMAIL = TypeAdapter(EmailStr)


def masked(field: str, value: str | None) -> str | None:
    """How a field's value appears in the audit trail and on staff pages unless revealed (`masking.mask_value`)."""
    return mask_value(field, value)


def _get(uow, application_id: str) -> Application:
    return uow.applications.get(application_id, for_update=True)


# ---- assignment and notes -----------------------------------------------------------------------


def assign(services: CheckServices, application_id: str, assignee: str, *, actor: str) -> None:
    """`assignee` must be an active staff account; assigning again moves the case."""
    with services.uow() as uow:
        account = uow.staff.get(assignee)
        if account is None or not account.active:
            raise ReviewRefused(f"no active staff account {assignee!r}")
        application = _get(uow, application_id)
        now = services.clock()
        current = uow.cases.assignee(application_id)
        if current and current["assignee"] == assignee:
            raise ReviewRefused(f"{application_id} is assigned to {assignee} already")
        uow.cases.assign(application_id, assignee, actor, now)
        application.record(at=now, actor=actor, action="assigned",
                           details={"assignee": assignee, "previous": current["assignee"] if current else None})
        uow.commit()


def unassign(services: CheckServices, application_id: str, *, actor: str) -> None:
    with services.uow() as uow:
        application = _get(uow, application_id)
        current = uow.cases.assignee(application_id)
        if current is None:
            raise ReviewRefused(f"{application_id} is not assigned to anyone")
        uow.cases.unassign(application_id)
        application.record(at=services.clock(), actor=actor, action="unassigned",
                           details={"previous": current["assignee"]})
        uow.commit()


def add_note(services: CheckServices, application_id: str, text: str, *, actor: str) -> None:
    text = (text or "").strip()
    if not text:
        raise ReviewRefused("a note needs some text")
    if len(text) > MAX_NOTE:
        raise ReviewRefused(f"a note has at most {MAX_NOTE} characters")
    with services.uow() as uow:
        application = _get(uow, application_id)
        now = services.clock()
        uow.cases.add_note(application_id, actor, text, now)
        application.record(at=now, actor=actor, action="note_added")  # the text stays in the (encrypted) note
        uow.commit()


# ---- edits ------------------------------------------------------------------------------------


def _as_input(application: Application) -> dict[str, Any]:
    return {
        "merchant_type": str(application.merchant_type), "legal_name": application.legal_name,
        "id_number": application.id_number, "phone": application.phone, "email": application.email,
        "business_name": application.business_name, "business_address": application.business_address,
        "settlement_account": {"holder_name": application.settlement_holder_name,
                               "number": application.settlement_number, "bank_name": application.settlement_bank},
        "device_model": application.device_model,
    }


_INPUT_PATH = {"settlement_holder_name": ("settlement_account", "holder_name"),
               "settlement_number": ("settlement_account", "number"),
               "settlement_bank": ("settlement_account", "bank_name")}


def _validated(services: CheckServices, application: Application, changes: dict[str, str]) -> dict[str, str]:
    """The changed fields' new values, normalised and validated as at submission."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        hint = " (phone and e-mail: change contact)" if {"phone", "email"} & set(unknown) else ""
        raise ReviewRefused(f"cannot edit {', '.join(unknown)}{hint}; editable: {', '.join(EDITABLE_FIELDS)}")
    raw = _as_input(application)
    for field, value in changes.items():
        if not isinstance(value, str):
            raise ReviewRefused(f"{field}: a text value is needed")
        path = _INPUT_PATH.get(field, (field,))
        target = raw
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    try:
        parsed = parse_application(raw, load_deposit_policies(services.settings.rules_dir).models).model_dump()
    except InvalidApplication as error:
        raise ReviewRefused(str(error)) from None
    new_values = {field: _lookup(parsed, _INPUT_PATH.get(field, (field,))) for field in changes}
    return {f: v for f, v in new_values.items() if v != getattr(application, f)}


def _lookup(data: dict, path: tuple[str, ...]) -> Any:
    for part in path:
        data = data[part]
    return str(data) if data is not None else None


def edit_fields(services: CheckServices, application_id: str, changes: dict[str, str], *, actor: str,
                reason: str) -> list[str]:
    """Returns the fields that changed; old values stay in the (encrypted) field history."""
    reason = require_reason(reason)
    if not changes:
        raise ReviewRefused("no fields given")
    with services.uow() as uow:
        application = _get(uow, application_id)
        require_state(application, EDITABLE_STATES, "editing")
        changed = _validated(services, application, changes)
        if not changed:
            raise ReviewRefused("nothing changed: every value given is the current one")
        now = services.clock()
        for field, new in changed.items():
            _change(uow, application, field, new, actor=actor, reason=reason, at=now)
        index_application(services, uow, application)
        uow.commit()
    return sorted(changed)


def _change(uow, application: Application, field: str, new: str | None, *, actor: str, reason: str,
            at: datetime) -> None:
    old = getattr(application, field)
    setattr(application, field, new)
    uow.cases.add_field_change(application.id, actor, field, old, new, reason, at)
    application.record(at=at, actor=actor, action="field_changed", reason=reason,
                       details={"field": field, "old": masked(field, old), "new": masked(field, new)})


# ---- the life of a case ---------------------------------------------------------------------------


def withdraw(services: CheckServices, application_id: str, *, actor: str, reason: str) -> None:
    """Ends the application at the merchant's wish: the request closes, links stop, a reserved terminal goes
    back to stock, the merchant is told."""
    reason = require_reason(reason)
    with services.uow() as uow:
        application = _get(uow, application_id)
        require_state(application, WITHDRAWABLE_STATES, "withdrawal")
        now = services.clock()
        application.close_open_request(RequestStatus.CANCELLED, at=now, actor=actor, reason="application withdrawn")
        if any(link.revoked_at is None for link in application.links):
            application.revoke_links(at=now, actor=actor, reason="application withdrawn")
        terminal = uow.ledger.terminal_for_application(application_id)
        if terminal is not None:  # reserved, not shipped: approved is the last state that can be withdrawn
            was = terminal.state
            terminal.release()
            uow.ledger.save_terminal(terminal, was=was)
            application.record(at=now, actor=actor, action="terminal_released",
                               details={"serial_number": terminal.serial_number})
        application.transition(S.WITHDRAWN, actor=actor, reason=reason, at=now)
        enqueue_notice(uow, application, messages.application_withdrawn(application.id), now)
        uow.commit()


def reopen(services: CheckServices, application_id: str, *, actor: str, reason: str) -> int:
    """An expired application gets a new round asking for what the expired one still wanted, with a new link
    and a new due time. Returns the round number."""
    reason = require_reason(reason)
    with services.uow() as uow:
        application = _get(uow, application_id)
        require_state(application, {S.EXPIRED}, "reopening")
        last = application.requests[-1] if application.requests else None
        items = [{k: v for k, v in i.items() if k != "status"} for i in (last.open_items if last else [])]
        if not items:
            raise ReviewRefused(f"{application_id} expired with nothing left to ask for; ask for documents instead")
        now = services.clock()
        application.transition(S.NEEDS_DOCUMENTS, actor=actor, reason=reason, at=now)
        request = application.request_documents(
            items, at=now, due_at=now + timedelta(days=services.settings.request_due_days), actor=actor)
        request.schedule_reminders(services.settings.reminder_hours)
        requests.send_round(services, uow, application, request, now)
        uow.commit()
        return request.round_number


def extend_due(services: CheckServices, application_id: str, due_at: datetime, *, actor: str, reason: str) -> None:
    """The open round (and its live links) run until `due_at`, later than now and than the current due time."""
    reason = require_reason(reason)
    if due_at.tzinfo is None:
        raise ReviewRefused("due_at needs a UTC offset (e.g. 2026-12-01T18:00:00+08:00)")
    with services.uow() as uow:
        application = _get(uow, application_id)
        request = application.open_request
        if application.state != S.NEEDS_DOCUMENTS or request is None:
            raise ReviewRefused(f"{application_id} is {application.state} with no open request; only an open "
                                "request's due time can be extended (reopen an expired application)")
        now = services.clock()
        if due_at <= request.due_at:
            raise ReviewRefused(f"the new due time must be later than the current one ({request.due_at.isoformat()})")
        if due_at > now + timedelta(days=MAX_EXTENSION_DAYS):
            raise ReviewRefused(f"at most {MAX_EXTENSION_DAYS} days from now")
        previous = request.due_at
        request.due_at = due_at
        for link in application.links:
            if link.is_valid(now):
                link.expires_at = due_at
        application.record(at=now, actor=actor, action="due_extended", reason=reason,
                           details={"round": request.round_number, "from": previous.isoformat(),
                                    "to": due_at.isoformat()})
        uow.commit()


def change_contact(services: CheckServices, application_id: str, *, phone: str | None, email: str | None, actor: str,
                   reason: str) -> bool:
    """New phone and/or e-mail; with a request open, every old link stops and the round's message goes out again
    with a new link to the contact now on file. After staff revoked the links (a lost phone) a link goes out only
    with a changed contact, and then also without an open request (the merchant's page). Returns whether a link
    was re-issued."""
    reason = require_reason(reason)
    changes: dict[str, str | None] = {}
    if phone is not None:
        phone = phone.strip().replace(" ", "").removeprefix("+86")
        if not PHONE.match(phone):
            raise ReviewRefused("phone: must be an 11-digit mainland mobile number starting with 1")
        changes["phone"] = phone
    if email is not None:
        email = email.strip()
        try:
            changes["email"] = str(_EMAIL.validate_python(email)) if email else None
        except ValidationError:
            raise ReviewRefused("email: not a valid e-mail address") from None
    with services.uow() as uow:
        application = _get(uow, application_id)
        if application.state in CONTACT_CLOSED_STATES:
            raise ReviewRefused(f"{application_id} is {application.state}; its contact no longer matters")
        changed = {f: v for f, v in changes.items() if v != getattr(application, f)}
        request = application.open_request if application.state == S.NEEDS_DOCUMENTS else None
        revoked = links_revoked(application)
        if revoked and not changed:
            raise ReviewRefused("the links were revoked: a new link goes out only to a changed phone or e-mail "
                                "(give --phone or --email)")
        if not changed and request is None:
            raise ReviewRefused("nothing to do: the contact is unchanged and no request is open to re-issue")
        now = services.clock()
        for field, new in changed.items():
            _change(uow, application, field, new, actor=actor, reason=reason, at=now)
        if changed:
            index_application(services, uow, application)
        if request is None and not revoked:
            uow.commit()
            return False
        resends = sum(1 for e in application.events if e.action == "link_reissued") + 1
        application.revoke_links(at=now, actor=actor, reason=f"contact changed: {reason}")
        if request is not None:
            requests.send_round(services, uow, application, request, now, resend=resends)
        else:
            url = link_for_notice(services, application, now, reissue=True)
            enqueue_notice(uow, application, messages.link_reissued(application.id, url, resends), now)
        application.record(at=now, actor=actor, action="link_reissued", reason=reason,
                           details={"round": request.round_number if request else None})
        uow.commit()
        return True


def record_rerun(services: CheckServices, application_id: str, *, actor: str, reason: str,
                 from_step: str | None) -> None:
    """Ops: the audit trail says who asked for the run; the caller starts it."""
    reason = require_reason(reason)
    with services.uow() as uow:
        application = _get(uow, application_id)
        if application.state == S.CHECKING:
            raise ReviewRefused(f"{application_id} is being checked right now; rerun once it has a decision")
        application.record(at=services.clock(), actor=actor, action="rerun_requested", reason=reason,
                           details={"from_step": from_step})
        uow.commit()


# ---- PII and documents ----------------------------------------------------------------------------


def reveal(services: CheckServices, application_id: str, field: str, *, actor: str, reason: str) -> str | None:
    """One full value, written to the audit trail (who, which field, why) before it is returned.

    `field` is an application field (legal_name, id_number, phone, settlement_holder_name,
    settlement_number) or `DOC-…:<field>` for a value read from a document.
    """
    reason = require_reason(reason)
    with services.uow() as uow:
        application = uow.applications.get(application_id)
        value = _field_value(application, field)
        uow.session.add(AuditEvent(application_id=application_id, at=services.clock(), actor=actor,
                                   action="pii_revealed", reason=reason, details={"field": field}))
        uow.commit()
    return value


def _field_value(application: Application, field: str) -> str | None:
    if ":" in field:
        document_id, name = field.split(":", 1)
        document = next((d for d in application.documents if d.id == document_id), None)
        if document is None:
            raise ReviewRefused(f"{application.id} has no document {document_id}")
        read = (document.fields or {}).get(name)
        if read is None:
            raise ReviewRefused(f"nothing was read as {name} from {document_id}")
        return read.get("value")
    if field not in REVEALABLE_FIELDS:
        raise ReviewRefused(f"{field!r} cannot be revealed (fields: {', '.join(sorted(REVEALABLE_FIELDS))}, "
                            "or DOC-…:<field>)")
    return getattr(application, field)


def document_for_viewing(services: CheckServices, document_id: str, *, actor: str) -> tuple[str, DocumentType]:
    """The document's blob digest and type, after recording who looked at it."""
    with services.uow() as uow:
        try:
            document = uow.applications.get_document(document_id)
        except LookupError:
            raise ReviewRefused(f"no document {document_id}") from None
        if getattr(document, "purged_at", None) is not None:
            raise ReviewRefused(f"{document_id} was purged under the retention policy")
        uow.session.add(AuditEvent(application_id=document.application_id, at=services.clock(), actor=actor,
                                   action="document_viewed",
                                   details={"document_id": document_id, "document_type": str(document.document_type)}))
        sha256, document_type = document.sha256, DocumentType(document.document_type)
        uow.commit()
    return sha256, document_type


__all__ = ["ReviewRefused", "add_note", "assign", "change_contact", "document_for_viewing",
           "edit_fields", "extend_due", "masked", "record_rerun", "reopen", "reveal", "unassign", "withdraw"]
