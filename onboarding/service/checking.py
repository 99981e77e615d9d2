"""The steps of one onboarding run, as plain functions the flow's tasks call.

Each step reads what it needs from the database and writes its result back, so a step that already
finished (OCR of a file, a decision for the same inputs) is found and reused instead of redone.
"""
from __future__ import annotations

import hashlib
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from documents.types import ExtractedField
from onboarding.domain.model import Application, DecisionRecord
from onboarding.domain.states import CHECKABLE_STATES, SETTLED_STATES, ApplicationState
from onboarding.service import duplicates, requests
from onboarding.service.change_checks import ChangeCheck, pending_checks
from onboarding.service.ports import CheckServices
from onboarding.service.terminals import assign_terminal
from rules.engine import evaluate
from rules.model import ApplicationFacts, Decision, DocumentFacts, Outcome, PossibleDuplicate

ENGINE_ACTOR = "engine"

OUTCOME_STATE = {
    Outcome.APPROVED: ApplicationState.APPROVED,
    Outcome.NEEDS_DOCUMENTS: ApplicationState.NEEDS_DOCUMENTS,
    Outcome.MANUAL_REVIEW: ApplicationState.MANUAL_REVIEW,
    Outcome.REJECTED: ApplicationState.REJECTED,
}


class CheckPlan(BaseModel):
    application_id: str
    merchant_type: str
    state: ApplicationState
    fingerprint: str
    ocr_document_ids: list[str]
    skip_reason: str | None = None
    needs_terminal: bool = False  # approved without a terminal while one of its model is in stock
    change_checks: list[ChangeCheck] = []  # change requests whose new documents wait to be read and checked


def local_today(services: CheckServices) -> date:
    return services.clock().astimezone(ZoneInfo(services.settings.timezone)).date()


def inputs_fingerprint(services: CheckServices, application: Application, duplicates: list[PossibleDuplicate]) -> str:
    """What a decision depends on: the current files, the rules, the OCR engine and the day it was made, and
    the other applications it may duplicate (staff clearing one changes the decision)."""
    parts = sorted(f"{t}:{d.sha256}" for t, d in application.current_documents().items())
    parts += sorted(f"waived:{c}:{t}:{h}" for c, t, h in application.waiver_keys())
    parts += sorted(f"duplicate:{d.application_id}:{','.join(d.matched_on)}" for d in duplicates)
    parts += [services.ruleset.version_label, services.ocr.version, services.ocr.pipeline_version,
              local_today(services).isoformat()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def begin_check(services: CheckServices, application_id: str, *, force: bool = False) -> CheckPlan:
    duplicates.refresh(services, application_id)  # its own transaction, before this one takes the row
    with services.uow() as uow:
        application = uow.applications.get(application_id, for_update=True)
        fingerprint = inputs_fingerprint(services, application, duplicates.open_duplicates(uow, application_id))
        plan = CheckPlan(
            application_id=application.id, merchant_type=str(application.merchant_type), state=application.state,
            fingerprint=fingerprint,
            ocr_document_ids=[d.id for d in application.documents_to_read()],
            change_checks=pending_checks(uow, application.id),
        )
        if application.state in SETTLED_STATES:
            return plan.model_copy(update={"skip_reason": f"application is {application.state}",
                                           "needs_terminal": _needs_terminal(uow, application)})
        if not force and _decided_on(application, fingerprint):
            return plan.model_copy(update={"skip_reason": "nothing changed since the last decision"})
        if application.state in CHECKABLE_STATES:
            application.transition(ApplicationState.CHECKING, actor=ENGINE_ACTOR, reason="documents to check",
                                   at=services.clock())
            uow.commit()
        return plan.model_copy(update={"state": application.state})


def nothing_to_rerun(services: CheckServices, application_id: str) -> str | None:
    """Why a rerun of this application would do nothing at all, or None when it has work left.

    Answered from our database alone, so `onboard rerun` of a finished application needs no orchestrator.
    """
    with services.uow() as uow:
        application = uow.applications.get(application_id)
        if uow.outbox.application_ids_with_unsent(application_id) or pending_checks(uow, application_id):
            return None
        if application.state in SETTLED_STATES:
            return None if _needs_terminal(uow, application) else f"application is {application.state}"
        if _decided_on(application, inputs_fingerprint(services, application,
                                                        duplicates.open_duplicates(uow, application_id))):
            return "nothing changed since the last decision"
        return None


def _decided_on(application: Application, fingerprint: str) -> bool:
    latest = application.latest_decision
    return bool(latest and latest.fingerprint == fingerprint and application.state == OUTCOME_STATE[latest.outcome])


def _needs_terminal(uow, application: Application) -> bool:
    """Approved without a terminal (a run crashed before reserving it, or none was in stock) and one can be had."""
    return (application.state == ApplicationState.APPROVED
            and uow.ledger.terminal_for_application(application.id) is None
            and uow.ledger.in_stock(application.device_model))


def failed_runs(services: CheckServices, grace: timedelta) -> list[str]:
    """Applications a crashed or failed run left behind: stuck before a decision, or with messages unsent."""
    with services.uow() as uow:
        stalled = uow.applications.stalled_ids(services.clock() - grace)
        unsent = uow.outbox.application_ids_with_unsent()
        changes = uow.changes.stalled_application_ids(services.clock() - grace)
    return sorted(set(stalled) | set(unsent) | set(changes))


def undecided(services: CheckServices, application_ids: list[str]) -> int:
    """How many of these applications still wait for their decision."""
    with services.uow() as uow:
        return uow.applications.count_in_states(application_ids, (ApplicationState.SUBMITTED,
                                                                  ApplicationState.CHECKING))


def state_of(services: CheckServices, application_id: str) -> str:
    with services.uow() as uow:
        return str(uow.applications.get(application_id).state)


def merchant_type_of(services: CheckServices, application_id: str) -> str:
    with services.uow() as uow:
        return str(uow.applications.get(application_id).merchant_type)


def application_facts(application: Application,
                      possible_duplicates: list[PossibleDuplicate] | None = None) -> ApplicationFacts:
    return ApplicationFacts(
        possible_duplicates=possible_duplicates or [],
        merchant_type=application.merchant_type, legal_name=application.legal_name,
        id_number=application.id_number, phone=application.phone, business_name=application.business_name,
        business_address=application.business_address,
        settlement_holder_name=application.settlement_holder_name,
        settlement_number=application.settlement_number, device_model=application.device_model,
        documents={
            document_type: DocumentFacts(
                document_type=document_type, sha256=document.sha256,
                fields={k: ExtractedField.model_validate(v) for k, v in (document.fields or {}).items()},
                width=document.width, height=document.height, blur_score=document.blur_score,
            )
            for document_type, document in application.current_documents().items()
        },
    )


def evaluate_application(services: CheckServices, application_id: str) -> Decision:
    # Again after OCR: the credit code read from a licence can only be compared now.
    possible_duplicates = duplicates.refresh(services, application_id)
    with services.uow() as uow:
        application = uow.applications.get(application_id)
        facts, waivers = application_facts(application, possible_duplicates), application.waiver_keys()
    return evaluate(facts, services.ruleset, local_today(services), waivers)


def record_decision(services: CheckServices, application_id: str, decision: Decision,
                    fingerprint: str) -> ApplicationState:
    """Moves the application out of `checking`. A second call for the same run finds it moved and does nothing."""
    with services.uow() as uow:
        application = uow.applications.get(application_id, for_update=True)
        if application.state != ApplicationState.CHECKING:
            return application.state
        now = services.clock()
        application.decisions.append(DecisionRecord.of(application.id, decision, ocr_engine=services.ocr.version,
                                                       fingerprint=fingerprint, decided_at=now))
        codes = ", ".join(sorted({d.code for d in decision.deficiencies})) or "all checks passed"
        application.transition(OUTCOME_STATE[decision.outcome], actor=ENGINE_ACTOR, reason=codes, at=now)
        requests.after_decision(services, uow, application, decision, now, ENGINE_ACTOR)
        uow.commit()
        return application.state


def decide(services: CheckServices, application_id: str, fingerprint: str) -> ApplicationState:
    """Checks the documents read, records the decision, and reserves a terminal when it is an approval."""
    state = record_decision(services, application_id, evaluate_application(services, application_id), fingerprint)
    if state == ApplicationState.APPROVED:
        assign_terminal(services, application_id)
    return state
