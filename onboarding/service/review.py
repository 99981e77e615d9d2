"""Staff decisions on a case, each with a reason and an audit event: accept a finding, approve, reject, ask for
documents. Shared by `onboard review …` and the back office; every refusal says what the state allows."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from documents.types import DocumentType
from onboarding.domain.model import DecisionRecord
from onboarding.domain.states import ApplicationState as S
from onboarding.domain.terminals import LedgerError
from onboarding.service import requests
from onboarding.service.ports import CheckServices
from onboarding.service.terminals import assign_terminal
from rules.deposit_policy import UnknownDeviceModel
from rules.messages import deficiency
from rules.model import Decision, Deficiency, Outcome

logger = logging.getLogger("onboarding.review")

REVIEWABLE = frozenset({S.NEEDS_DOCUMENTS, S.MANUAL_REVIEW})
REJECTABLE = REVIEWABLE | {S.SUBMITTED}
STAFF_REQUEST_CODE = "document_requested_by_staff"
STAFF_REJECTION_CODE = "rejected_by_staff"
CODE = re.compile(r"^[a-z][a-z0-9_]{2,63}$")
MAX_MESSAGE = 500


class ReviewRefused(ValueError):
    pass


@dataclass(frozen=True)
class RequestedDocument:
    """One document asked for again, with the words the merchant reads (None: the catalogue's)."""

    document_type: str
    message_zh: str | None = None
    message_en: str | None = None


def require_state(application, states, action: str) -> None:
    if application.state not in states:
        allowed = ", ".join(sorted(states))
        raise ReviewRefused(f"{application.id} is {application.state}; {action} needs one of: {allowed}")


def require_reason(reason: str | None) -> str:
    if not (reason or "").strip():
        raise ReviewRefused("a reason is needed: it goes into the audit trail")
    return reason.strip()


def _merchant_text(value: str | None, name: str) -> str | None:
    value = (value or "").strip()
    if len(value) > MAX_MESSAGE:
        raise ReviewRefused(f"{name}: at most {MAX_MESSAGE} characters")
    return value or None


def waive(services: CheckServices, application_id: str, code: str, document_type: str | None, *,
          actor: str, reason: str) -> None:
    """The next check run (which the caller starts) no longer blocks on this finding."""
    reason = require_reason(reason)
    with services.uow() as uow:
        application = uow.applications.get(application_id, for_update=True)
        require_state(application, REVIEWABLE, "accepting a finding")
        latest = application.latest_decision
        open_findings = {(d["code"], d.get("document_type")) for d in (latest.deficiencies if latest else [])}
        if (code, document_type) not in open_findings:
            listed = ", ".join(f"{c}:{t or '-'}" for c, t in sorted(open_findings, key=str)) or "none"
            raise ReviewRefused(f"{application_id} has no open finding {code}:{document_type or '-'} (open: {listed})")
        application.waive(code, document_type, actor=actor, reason=reason, at=services.clock())
        uow.commit()


def approve(services: CheckServices, application_id: str, *, actor: str, reason: str) -> None:
    """From needs_documents or manual_review: the open request closes, the merchant is told, a terminal is
    reserved if one of the model is in stock (as for an approval by the checks)."""
    reason = require_reason(reason)
    with services.uow() as uow:
        application = uow.applications.get(application_id, for_update=True)
        require_state(application, REVIEWABLE, "approval by staff")
        now = services.clock()
        decision = Decision(outcome=Outcome.APPROVED, rules_version=services.ruleset.version_label,
                            evaluated_on=now.date())
        _record(application, decision, actor, reason, now, services)
        application.transition(S.APPROVED, actor=actor, reason=reason, at=now)
        requests.after_decision(services, uow, application, decision, now, actor)
        uow.commit()
    try:
        assign_terminal(services, application_id, actor=actor)
    except (LedgerError, UnknownDeviceModel) as problem:  # approved all the same; shipping finds one later
        logger.warning("approved %s without reserving a terminal: %s", application_id, problem)


def reject(services: CheckServices, application_id: str, *, actor: str, reason: str, code: str | None = None,
           message_zh: str | None = None, message_en: str | None = None) -> None:
    """The merchant reads `message_zh`/`message_en` (default: a plain refusal); `reason` stays internal."""
    reason = require_reason(reason)
    code = (code or STAFF_REJECTION_CODE).strip()
    if not CODE.match(code):
        raise ReviewRefused(f"code {code!r}: lower-case letters, digits and '_' (e.g. {STAFF_REJECTION_CODE})")
    message_zh, message_en = _merchant_text(message_zh, "message_zh"), _merchant_text(message_en, "message_en")
    with services.uow() as uow:
        application = uow.applications.get(application_id, for_update=True)
        require_state(application, REJECTABLE, "rejection by staff")
        now = services.clock()
        default = deficiency(services.ruleset, STAFF_REJECTION_CODE, evidence={}, reason=reason)
        item = default.model_copy(update={"code": code, "message_zh": message_zh or default.message_zh,
                                          "message_en": message_en or default.message_en})
        decision = Decision(outcome=Outcome.REJECTED, rules_version=services.ruleset.version_label,
                            evaluated_on=now.date(), deficiencies=[item])
        _record(application, decision, actor, reason, now, services)
        application.transition(S.REJECTED, actor=actor, reason=reason, at=now)
        requests.after_decision(services, uow, application, decision, now, actor)
        uow.commit()


def decide(services: CheckServices, application_id: str, outcome: Outcome, *, actor: str, reason: str) -> None:
    """Approve or reject with the default merchant wording."""
    if outcome == Outcome.APPROVED:
        approve(services, application_id, actor=actor, reason=reason)
    elif outcome == Outcome.REJECTED:
        reject(services, application_id, actor=actor, reason=reason)
    else:
        raise ReviewRefused(f"staff decide approved or rejected, not {outcome}")


def request_documents(services: CheckServices, application_id: str, documents: list[RequestedDocument], *,
                      actor: str, reason: str) -> int:
    """One new round asking for exactly these documents, in one message with one link. The merchant reads each
    document's message (staff's own words, else the catalogue's); `reason` is kept for staff only.
    Returns the round number."""
    reason = require_reason(reason)
    items = _requested_items(services, documents, reason)
    with services.uow() as uow:
        application = uow.applications.get(application_id, for_update=True)
        require_state(application, REVIEWABLE, "requesting documents")
        now = services.clock()
        latest = application.latest_decision
        # Staff-only findings ride along so staff still see them when the upload comes back.
        staff_only = [Deficiency.model_validate(d) for d in (latest.deficiencies if latest else [])
                      if not d.get("merchant_fixable", True)]
        decision = Decision(outcome=Outcome.NEEDS_DOCUMENTS, rules_version=services.ruleset.version_label,
                            evaluated_on=now.date(), deficiencies=[*items, *staff_only])
        _record(application, decision, actor, reason, now, services)
        if application.state != S.NEEDS_DOCUMENTS:
            application.transition(S.NEEDS_DOCUMENTS, actor=actor, reason=reason, at=now)
        requests.open_round(services, uow, application, decision, now, actor)
        uow.commit()
        return application.open_request.round_number


def request_document(services: CheckServices, application_id: str, document_type: str, *, actor: str, reason: str,
                     message_zh: str | None = None, message_en: str | None = None) -> int:
    return request_documents(services, application_id, [RequestedDocument(document_type, message_zh, message_en)],
                             actor=actor, reason=reason)


def _requested_items(services: CheckServices, documents: list[RequestedDocument], reason: str) -> list[Deficiency]:
    if not documents:
        raise ReviewRefused("choose at least one document to ask for")
    items, seen = [], set()
    for chosen in documents:
        try:
            document_type = DocumentType(chosen.document_type)
        except ValueError:
            raise ReviewRefused(f"unknown document type {chosen.document_type!r} "
                                f"(types: {', '.join(t.value for t in DocumentType)})") from None
        if document_type in seen:
            raise ReviewRefused(f"{document_type} chosen twice")
        seen.add(document_type)
        item = deficiency(services.ruleset, STAFF_REQUEST_CODE, document_type=document_type, evidence={},
                          reason=reason)
        words = {"message_zh": _merchant_text(chosen.message_zh, "message_zh"),
                 "message_en": _merchant_text(chosen.message_en, "message_en")}
        items.append(item.model_copy(update={k: v for k, v in words.items() if v}))
    return items


def _record(application, decision: Decision, actor: str, reason: str, now, services: CheckServices) -> None:
    application.decisions.append(DecisionRecord.of(application.id, decision, ocr_engine=services.ocr.version,
                                                   fingerprint=f"staff:{reason}", decided_at=now, decided_by=actor))
