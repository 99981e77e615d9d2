"""Change requests through the same pipeline as onboarding: intake gate, OCR, the same rules, the outbox.

A change opens with the new values (and any documents already at hand); codes go to new contacts; the
documents are read by the onboarding flow's own reading step and checked by the rules engine with the new
values in place of the old (`decide_change`). What passes, and is approved where the rule files ask for an
approval, is applied: the application takes the new values, the old ones stay on the change request.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from onboarding.domain.changes import ChangeRefused, ChangeRequest, ChangeState, relevant_findings
from onboarding.domain.model import Application, Document
from onboarding.domain.notifications import Channel, OutboxMessage
from onboarding.domain.states import ApplicationState
from onboarding.domain.terminals import Binding
from onboarding.notifications import aftercare_messages as notices
from onboarding.masking import mask_evidence, mask_name, mask_number
from onboarding.notifications.outbox import notice_messages
from onboarding.service.change_input import ChangeInput
from onboarding.service.checking import application_facts, local_today
from onboarding.service.ledger_views import _local
from onboarding.service.merchant_links import enqueue_with_link, staff_alert
from onboarding.service.ports import CaseServices
from onboarding.service.submission import (
    UploadedFile,
    UploadRefused,
    _publish_blobs,
    _remove_blobs,
    _store_blobs,
    check_files,
)
from rules.aftercare_policy import Aftercare, ChangeField, load_aftercare_policy
from rules.engine import evaluate
from rules.model import DocumentFacts

# Changes are for merchants who have been approved; before that, staff edit the application itself.
CHANGEABLE_STATES = frozenset({ApplicationState.APPROVED, ApplicationState.SHIPPED, ApplicationState.ACTIVE})
ENGINE = "engine"


def _policy(services: CaseServices) -> Aftercare:
    return load_aftercare_policy(services.settings.rules_dir)


# ---- opening -----------------------------------------------------------------------------------


def request_change(services: CaseServices, application_id: str, change: ChangeInput | None,
                   files: list[UploadedFile], *, actor: str) -> str:
    """Opens a change request (or, with documents only, adds them to the open one); returns its id.
    Every file passes the intake gate first; a refusal stores nothing."""
    inspections = check_files(services, files)
    with services.uow() as uow:  # refuse before storing anything
        application = uow.applications.get(application_id)
        open_change = _open_change(uow, application_id)
        if change is None:
            if open_change is None:
                raise ChangeRefused(f"{application_id} has no open change request; give the new details")
            _check_document_types(open_change.needs_documents, files)
        else:
            _require_changeable(application, open_change)
            _require_different(application, change)
            _check_document_types(_wanted_documents(services, application, change), files)
    created = _store_blobs(services, files)
    try:
        with services.uow() as uow:
            application = uow.applications.get(application_id, for_update=True)
            now = services.clock()
            documents = list(_documents(files, inspections, actor, now))
            if change is None:
                target = uow.changes.get(_open_change(uow, application_id).id, for_update=True)
                _propose(application, target, documents, actor, now)
                _advance(services, uow, application, target, now, actor)
                change_id = target.id
            else:
                change_id = open_change_in(services, uow, application, change, documents, actor=actor, at=now)
            uow.commit()
    except BaseException:
        _remove_blobs(services, created)
        raise
    _publish_blobs(services, created)
    return change_id


def open_change_in(services: CaseServices, uow, application: Application, change: ChangeInput,
                   documents: list[Document], *, actor: str, at: datetime) -> str:
    """Inside the caller's transaction (a follow-up call that found new details opens one this way)."""
    _require_changeable(application, _open_change(uow, application.id))
    policy = _policy(services)
    fields = change.fields()
    _require_different(application, change)
    wanted_documents = _wanted_documents(services, application, change)
    _check_document_types(wanted_documents, documents)
    request = ChangeRequest(
        application_id=application.id, created_at=at, created_by=actor,
        expires_at=at + timedelta(days=policy.changes.expire_days), proposed=change.proposed(),
        needs_codes=[f for f in fields if policy.changes.for_field(f).one_time_code],
        needs_documents=wanted_documents,
        needs_approval=any(policy.changes.for_field(f).staff_approval for f in fields),
        policy_version=policy.version_label, changes_settlement=ChangeField.SETTLEMENT_ACCOUNT in fields)
    uow.changes.add(request)
    application.record(at=at, actor=actor, action="change_requested", reason=", ".join(fields),
                       details={"change": request.id, "fields": fields, "proposed": masked(request.proposed),
                                "needs_codes": request.needs_codes, "needs_documents": request.needs_documents,
                                "needs_approval": request.needs_approval})
    _propose(application, request, documents, actor, at)
    enqueue_with_link(services, uow, application, at,
                      lambda url: notices.change_requested(application.id, request.id, fields, url))
    refusing = _findings(services, application, request, with_documents=False)
    if refusing:  # what was typed breaks a rule no document can mend: refused now, not after the uploads
        request.record_check(refusing, services.ruleset.version_label, at, policy.changes.refusing_codes)
    else:
        for contact in request.needs_codes:
            _send_code(services, uow, application, request, contact, at)
    _advance(services, uow, application, request, at, actor)
    return request.id


def _open_change(uow, application_id: str) -> ChangeRequest | None:
    return next((c for c in uow.changes.for_application(application_id) if c.is_open), None)


def _require_changeable(application: Application, open_change: ChangeRequest | None) -> None:
    if application.state not in CHANGEABLE_STATES:
        raise ChangeRefused(f"{application.id} is {application.state}; details change through a change request "
                            "once approved (before that, staff edit the application)")
    if open_change is not None:
        raise ChangeRefused(f"{application.id} has change request {open_change.id} open ({open_change.state}); "
                            "finish or cancel it first")


def _require_different(application: Application, change: ChangeInput) -> None:
    current = {"phone": application.phone, "email": application.email,
               "business_address": application.business_address}
    for field in ("phone", "email", "business_address"):
        value = getattr(change, field)
        if value is not None and str(value) == current[field]:
            raise ChangeRefused(f"{field}: the new value is the one on file")
    account = change.settlement_account
    if account is not None and (account.number, account.holder_name) == (application.settlement_number,
                                                                          application.settlement_holder_name):
        raise ChangeRefused("settlement_account: the new account is the one on file")


def _wanted_documents(services: CaseServices, application: Application, change: ChangeInput) -> list[str]:
    policy = _policy(services).changes
    return sorted({str(t) for f in change.fields() for t in policy.documents_for(f, application.merchant_type)})


def _check_document_types(wanted: list[str], files: list[UploadedFile] | list[Document]) -> None:
    for file in files:
        if str(file.document_type) not in wanted:
            listed = ", ".join(wanted) or "none"
            raise UploadRefused("document_not_requested",
                                f"{file.document_type} is not needed for this change (needed: {listed})",
                                file.document_type)


def _documents(files: list[UploadedFile], inspections, actor: str, at: datetime):
    for file, inspection in zip(files, inspections):
        yield Document(application_id="", document_type=file.document_type, sha256=inspection.sha256,
                       size_bytes=len(file.data), media_type=inspection.media_type, uploaded_at=at,
                       uploaded_by=actor, width=inspection.width, height=inspection.height,
                       blur_score=inspection.blur_score, source_name=(file.source_name or "")[-255:] or None)


def _propose(application: Application, change: ChangeRequest, documents: list[Document], actor: str,
             at: datetime) -> None:
    for document in documents:
        replaced = change.propose_document(str(document.document_type), document.id)
        for earlier in application.documents:
            if earlier.id == replaced:
                earlier.superseded_at = at
        application.propose_document(document, change.id, actor=actor, at=at)


# ---- one-time codes ----------------------------------------------------------------------------


def _send_code(services: CaseServices, uow, application: Application, change: ChangeRequest, contact: str,
               at: datetime) -> None:
    policy = _policy(services).changes
    code = change.issue_code(contact, at, minutes=policy.code_minutes, max_sends=policy.code_sends)
    sends = change.codes[contact]["sends"]
    notice = notices.change_code(change.id, contact, code, policy.code_minutes, sends)
    recipient = change.proposed[contact]
    channel = Channel.SMS if contact == "phone" else Channel.EMAIL
    uow.outbox.enqueue(OutboxMessage(
        idempotency_key=f"{application.id}:{notice.event}:{channel}", channel=channel, recipient=recipient,
        subject=notice.subject, body=notice.sms if channel == Channel.SMS else notice.body, created_at=at,
        application_id=application.id))
    application.record(at=at, actor=ENGINE, action="change_code_sent", reason=f"code {sends} for the new {contact}",
                       details={"change": change.id, "field": contact})


def enter_code(services: CaseServices, change_id: str, code: str, *, actor: str) -> str:
    """Returns the change's state after the code. A wrong code is counted and refused."""
    policy = _policy(services).changes
    with services.uow() as uow:
        change = uow.changes.get(change_id, for_update=True)
        application = uow.applications.get(change.application_id, for_update=True)
        now = services.clock()
        try:
            confirmed = change.enter_code(code, now, max_attempts=policy.code_attempts)
        except ChangeRefused as refusal:
            application.record(at=now, actor=actor, action="change_code_refused", reason=str(refusal),
                               details={"change": change.id})
            uow.commit()  # the failed attempt counts, whatever the caller does next
            raise
        application.record(at=now, actor=actor, action="change_code_confirmed", reason=f"new {confirmed} confirmed",
                           details={"change": change.id, "field": confirmed})
        _advance(services, uow, application, change, now, actor)
        uow.commit()
        return str(change.state)


def resend_code(services: CaseServices, change_id: str, contact: str, *, actor: str) -> None:
    with services.uow() as uow:
        change = uow.changes.get(change_id, for_update=True)
        application = uow.applications.get(change.application_id, for_update=True)
        _send_code(services, uow, application, change, contact, services.clock())
        uow.commit()


# ---- checking (a step of the onboarding flow) --------------------------------------------------


def _findings(services: CaseServices, application: Application, change: ChangeRequest, *,
              with_documents: bool) -> list[dict[str, Any]]:
    """The rules engine on the application as it would be after the change: new values, new documents in
    place of the old. Without documents (when the change opens) only the refusing findings count."""
    facts = application_facts(application)
    values: dict[str, Any] = {}
    if "business_address" in change.proposed:
        values["business_address"] = change.proposed["business_address"]
    if "phone" in change.proposed:
        values["phone"] = change.proposed["phone"]
    if account := change.proposed.get("settlement_account"):
        values |= {"settlement_holder_name": account["holder_name"], "settlement_number": account["number"]}
    by_id = {d.id: d for d in application.documents}
    documents = {t: d for t, d in facts.documents.items() if str(t) not in change.needs_documents}
    if with_documents:
        for document_type, document_id in change.documents.items():
            document = by_id[document_id]
            documents[document.document_type] = DocumentFacts(
                document_type=document.document_type, sha256=document.sha256,
                fields={k: v for k, v in (document.fields or {}).items()}, width=document.width,
                height=document.height, blur_score=document.blur_score)
    decision = evaluate(facts.model_copy(update={**values, "documents": documents}), services.ruleset,
                        local_today(services))
    refusing = _policy(services).changes.refusing_codes
    found = [d.model_dump(mode="json") for d in decision.deficiencies]
    found += [{**w.model_dump(mode="json"), "warning": True} for w in decision.warnings]
    relevant = relevant_findings(found, set(change.needs_documents), refusing)
    return relevant if with_documents else [f for f in relevant if f["code"] in refusing]


def decide_change(services: CaseServices, change_id: str) -> str:
    """After the flow read the change's documents: the rules decide, the change moves on. A second call for
    the same documents finds it moved and does nothing."""
    with services.uow() as uow:
        change = uow.changes.get(change_id, for_update=True)
        if change.state != ChangeState.CHECKING:
            return str(change.state)
        application = uow.applications.get(change.application_id, for_update=True)
        now = services.clock()
        findings = _findings(services, application, change, with_documents=True)
        change.record_check(findings, services.ruleset.version_label, now, _policy(services).changes.refusing_codes)
        application.record(at=now, actor=ENGINE, action="change_checked",
                           reason=", ".join(sorted({f["code"] for f in findings})) or "all checks passed",
                           details={"change": change.id, "rules_version": change.rules_version,
                                    "ocr_engine": services.ocr.version})
        _advance(services, uow, application, change, now, ENGINE)
        uow.commit()
        return str(change.state)


# ---- moving on, applying, ending ---------------------------------------------------------------


def _advance(services: CaseServices, uow, application: Application, change: ChangeRequest, at: datetime,
             actor: str) -> None:
    if not change.is_open:  # the rules refused it just now
        _ended(services, uow, application, change, at, actor)
        return
    target = change.next_state()
    if target == ChangeState.APPLIED:
        apply_change(services, uow, application, change, at, actor, reason="everything it needs is in")
        return
    if target != change.state:
        application.record(at=at, actor=actor, action="change_state", from_state=str(change.state),
                           to_state=str(target), reason=_why(change, target), details={"change": change.id})
        change.state = target
        if target == ChangeState.AWAITING_APPROVAL:
            for message in staff_alert(services, f"change-{change.id}-approval", f"Change to approve: {application.id}",
                                       f"Change {change.id} ({', '.join(change.fields)}) awaits a staff decision.", at):
                uow.outbox.enqueue(message)
    fixable = [f for f in change.findings if f.get("merchant_fixable") and not f.get("warning")]
    if target == ChangeState.AWAITING_MERCHANT and change.documents_wanted() and (fixable or change.created_at == at):
        items = fixable or [_document_item(services, t) for t in change.documents_wanted()]
        checks = sum(1 for e in application.events if e.action == "change_checked"
                     and (e.details or {}).get("change") == change.id)
        enqueue_with_link(services, uow, application, at, lambda url: notices.change_documents_needed(
            application.id, change.id, items, url, checks))


def _why(change: ChangeRequest, target: str) -> str:
    if target == ChangeState.AWAITING_MERCHANT:
        waiting = [f"code for the new {c}" for c in change.codes_pending()] + change.documents_wanted()
        return "waiting for " + ", ".join(waiting)
    if target == ChangeState.CHECKING:
        return "documents to check"
    return "staff approval" + (" (findings to look at)" if change.findings else "")


def _document_item(services: CaseServices, document_type: str) -> dict[str, str]:
    label = services.ruleset.catalogue.document_labels.get(document_type)
    return {"code": "document_missing", "document_type": document_type,
            "message_zh": f"请上传新的{label.zh if label else document_type}。",
            "message_en": f"Please upload your new {label.en if label else document_type}."}


def apply_change(services: CaseServices, uow, application: Application, change: ChangeRequest, at: datetime,
                 actor: str, *, reason: str) -> None:
    previous: dict[str, Any] = {}
    old_contacts = (application.phone, application.email)
    for field, value in change.proposed.items():
        if field == "settlement_account":
            previous[field] = {"holder_name": application.settlement_holder_name,
                               "number": application.settlement_number, "bank_name": application.settlement_bank}
            application.settlement_holder_name = value["holder_name"]
            application.settlement_number = value["number"]
            application.settlement_bank = value["bank_name"]
        else:
            previous[field] = getattr(application, field)
            setattr(application, field, value)
    by_id = {d.id: d for d in application.documents}
    for document_id in change.documents.values():
        adopted = by_id[document_id]
        if (current := application.current_documents().get(adopted.document_type)) is not None:
            current.superseded_at = at
            # One current document per type is a unique index: the old row must stop being current first.
            uow.session.flush()
        application.adopt_document(adopted, actor=actor, at=at)
    change.close(ChangeState.APPLIED, actor=actor, at=at, reason=reason, previous=previous)
    application.record(at=at, actor=actor, action="details_changed", reason=reason,
                       details={"change": change.id, "fields": change.fields, "old": masked(previous),
                                "new": masked(change.proposed)})
    _rebind_terminal(uow, application, change, at, actor)
    last4 = application.settlement_number[-4:] if "settlement_account" in change.proposed else None
    enqueue_with_link(services, uow, application, at, lambda url: notices.change_applied(
        application.id, change.id, change.fields, url, last4))
    if old_contacts != (application.phone, application.email):  # the old phone or e-mail hears of it too
        notice = notices.change_applied(application.id, change.id, change.fields, None, last4)
        notice = replace(notice, event=f"{notice.event}-previous-contact")
        for message in notice_messages(application.id, old_contacts[0], old_contacts[1], notice, at):
            if message.recipient not in (application.phone, application.email):
                uow.outbox.enqueue(message)


def _rebind_terminal(uow, application: Application, change: ChangeRequest, at: datetime, actor: str) -> None:
    """A shipped terminal is bound to the settlement account and install address (银发〔2021〕259号)."""
    terminal = uow.ledger.terminal_for_application(application.id)
    if terminal is None or terminal.binding is None:
        return
    binding = terminal.binding
    new = Binding(serial_number=binding.serial_number, merchant_code=binding.merchant_code,
                  registration_number=binding.registration_number,
                  settlement_account=application.settlement_number, install_address=application.business_address)
    if new == binding:
        return
    terminal.binding = new
    uow.ledger.save_terminal(terminal, was=terminal.state)
    application.record(at=at, actor=actor, action="terminal_rebound", reason=f"change {change.id}",
                       details={"serial_number": terminal.serial_number, "fields": change.fields})


def _ended(services: CaseServices, uow, application: Application, change: ChangeRequest, at: datetime,
           actor: str, *, tell_merchant: bool = True) -> None:
    """Refused, cancelled or expired: its documents never become the application's."""
    for document in application.documents:
        if document.proposed_for == change.id and document.superseded_at is None:
            document.superseded_at = at
    application.record(at=at, actor=actor, action=f"change_{change.state}", reason=change.reason,
                       details={"change": change.id, "fields": change.fields})
    if tell_merchant:
        by_rules = change.state == ChangeState.REFUSED and change.decided_by == ENGINE
        shown = [f for f in change.findings if not f.get("warning")] if by_rules else []
        zh = [f["message_zh"] for f in shown] or _ending_words(change)[0]
        en = [f["message_en"] for f in shown] or _ending_words(change)[1]
        enqueue_with_link(services, uow, application, at,
                          lambda url: notices.change_refused(application.id, change.id, zh, en, url))


def _ending_words(change: ChangeRequest) -> tuple[list[str], list[str]]:
    if change.state == ChangeState.EXPIRED:
        return ["申请已超过期限，未收到所需的验证码或材料。"], ["It expired before the code or documents arrived."]
    if change.state == ChangeState.CANCELLED:
        return ["申请已取消。"], ["It was cancelled."]
    return ["未通过审核，如有疑问请联系我们。"], ["It was not approved; contact us if you have questions."]


def decide(services: CaseServices, change_id: str, approve: bool, *, actor: str, reason: str) -> str:
    """Staff: approve (when it awaits approval) or refuse (while open)."""
    if not reason.strip():
        raise ChangeRefused("a decision on a change needs a reason")
    with services.uow() as uow:
        change = uow.changes.get(change_id, for_update=True)
        application = uow.applications.get(change.application_id, for_update=True)
        now = services.clock()
        if approve:
            if change.state != ChangeState.AWAITING_APPROVAL:
                raise ChangeRefused(f"change {change.id} is {change.state}; only one awaiting approval is approved")
            apply_change(services, uow, application, change, now, actor, reason=reason.strip())
        else:
            change.close(ChangeState.REFUSED, actor=actor, at=now, reason=reason.strip())
            _ended(services, uow, application, change, now, actor)
        uow.commit()
        return str(change.state)


def cancel(services: CaseServices, change_id: str, *, actor: str, reason: str) -> str:
    with services.uow() as uow:
        change = uow.changes.get(change_id, for_update=True)
        application = uow.applications.get(change.application_id, for_update=True)
        now = services.clock()
        change.close(ChangeState.CANCELLED, actor=actor, at=now, reason=reason.strip() or "cancelled")
        _ended(services, uow, application, change, now, actor, tell_merchant=False)
        uow.commit()
        return str(change.state)


def expire_changes(services: CaseServices, as_of: datetime, actor: str = "sweep") -> int:
    with services.uow() as uow:
        due = uow.changes.expiring(as_of)
        for change in due:
            application = uow.applications.get(change.application_id, for_update=True)
            change.close(ChangeState.EXPIRED, actor=actor, at=as_of,
                         reason=f"nothing since {change.created_at.isoformat()}")
            _ended(services, uow, application, change, as_of, actor)
        uow.commit()
        return len(due)


# ---- views -------------------------------------------------------------------------------------


def masked(values: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for field, value in values.items():
        if field == "settlement_account" and isinstance(value, dict):
            shown[field] = {"holder_name": mask_name(value.get("holder_name")),
                            "number": mask_number(value.get("number")), "bank_name": value.get("bank_name")}
        elif field == "phone":
            shown[field] = mask_number(value)
        elif field == "email" and value and "@" in value:
            local, _, domain = value.partition("@")
            shown[field] = f"{local[:1]}***@{domain}"
        else:
            shown[field] = value
    return shown


def change_dict(services: CaseServices, change: ChangeRequest) -> dict[str, Any]:
    return {
        "change_id": change.id, "application_id": change.application_id, "state": str(change.state),
        "fields": change.fields, "proposed": masked(change.proposed),
        "previous": masked(change.previous) if change.previous else None,
        "created_at": _local(services, change.created_at), "created_by": change.created_by,
        "expires_at": _local(services, change.expires_at),
        "waiting_for": {"codes": change.codes_pending(), "documents": change.documents_wanted(),
                        "approval": change.state == ChangeState.AWAITING_APPROVAL},
        "needs": {"codes": change.needs_codes, "documents": change.needs_documents,
                  "approval": change.needs_approval},
        "documents": change.documents,
        "findings": [{**f, "evidence": mask_evidence(f.get("evidence") or {}, f.get("field"))} for f in change.findings],
        "rules_version": change.rules_version, "checked_at": _local(services, change.checked_at),
        "decided_at": _local(services, change.decided_at), "decided_by": change.decided_by, "reason": change.reason,
        "holds_deposit_refund": change.changes_settlement and change.is_open,
    }


def change_view(services: CaseServices, change_id: str) -> dict[str, Any]:
    with services.uow() as uow:
        return change_dict(services, uow.changes.get(change_id))


def change_rows(services: CaseServices, states: list[str] | None = None) -> list[dict[str, Any]]:
    with services.uow() as uow:
        return [change_dict(services, c) for c in uow.changes.in_states(states)]
