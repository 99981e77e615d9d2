"""The steps of one onboarding run, as plain functions the flow's tasks call.

Each step reads what it needs from the database and writes its result back, so a step that already
finished (OCR of a file, a decision for the same inputs) is found and reused instead of redone.
"""
from __future__ import annotations

import hashlib
import time
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from documents.extract import extract_fields
from documents.intake import inspect_upload
from documents.types import OCR_DOCUMENT_TYPES, ExtractedField
from onboarding.bootstrap import Services
from onboarding.domain.model import Application, DecisionRecord
from onboarding.domain.states import CHECKABLE_STATES, SETTLED_STATES, ApplicationState
from onboarding.service import requests
from rules.engine import evaluate
from rules.model import ApplicationFacts, Decision, DocumentFacts, Outcome

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


class OcrDone(BaseModel):
    document_id: str
    cached: bool
    seconds: float


def local_today(services: Services) -> date:
    return services.clock().astimezone(ZoneInfo(services.settings.timezone)).date()


def inputs_fingerprint(services: Services, application: Application) -> str:
    """What a decision depends on: the current files, the rules, the OCR engine and the day it was made."""
    parts = sorted(f"{t}:{d.sha256}" for t, d in application.current_documents().items())
    parts += sorted(f"waived:{c}:{t}:{h}" for c, t, h in application.waiver_keys())
    parts += [services.ruleset.version_label, services.ocr.version, services.ocr.pipeline_version,
              local_today(services).isoformat()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def begin_check(services: Services, application_id: str, *, force: bool = False) -> CheckPlan:
    with services.uow() as uow:
        application = uow.applications.get(application_id, for_update=True)
        fingerprint = inputs_fingerprint(services, application)
        plan = CheckPlan(
            application_id=application.id, merchant_type=str(application.merchant_type), state=application.state,
            fingerprint=fingerprint,
            ocr_document_ids=[d.id for t, d in application.current_documents().items() if t in OCR_DOCUMENT_TYPES],
        )
        latest = application.latest_decision
        if application.state in SETTLED_STATES:
            return plan.model_copy(update={"skip_reason": f"application is {application.state}"})
        if not force and latest and latest.fingerprint == fingerprint and application.state == OUTCOME_STATE[latest.outcome]:
            return plan.model_copy(update={"skip_reason": "nothing changed since the last decision"})
        if application.state in CHECKABLE_STATES:
            application.transition(ApplicationState.CHECKING, actor=ENGINE_ACTOR, reason="documents to check",
                                   at=services.clock())
            uow.commit()
        return plan.model_copy(update={"state": application.state})


def failed_runs(services: Services, grace: timedelta) -> list[str]:
    """Applications a crashed or failed run left behind: stuck before a decision, or with messages unsent."""
    with services.uow() as uow:
        stalled = uow.applications.stalled_ids(services.clock() - grace)
        unsent = uow.outbox.application_ids_with_unsent()
    return sorted(set(stalled) | set(unsent))


def state_of(services: Services, application_id: str) -> str:
    with services.uow() as uow:
        return str(uow.applications.get(application_id).state)


def merchant_type_of(services: Services, application_id: str) -> str:
    with services.uow() as uow:
        return str(uow.applications.get(application_id).merchant_type)


def forget_ocr_readings(services: Services, application_id: str) -> None:
    """For `rerun --from ocr`: the next run reads this application's files afresh."""
    with services.uow() as uow:
        for document in uow.applications.get(application_id).current_documents().values():
            uow.ocr_readings.remove(document.sha256, document.document_type)
        uow.commit()


def ocr_document(services: Services, document_id: str) -> OcrDone:
    with services.uow() as uow:
        document = uow.applications.get_document(document_id)
        sha256, document_type = document.sha256, document.document_type
        if uow.ocr_readings.get(sha256, document_type, services.ocr.version, services.ocr.pipeline_version):
            return OcrDone(document_id=document_id, cached=True, seconds=0.0)
    image = inspect_upload(services.blobs.get(sha256), document_type, services.intake_limits).image
    started = time.perf_counter()
    reading = services.ocr.read(image, document_type)
    seconds = time.perf_counter() - started
    with services.uow() as uow:
        uow.ocr_readings.add(sha256, document_type, reading, seconds, services.clock())
        uow.commit()
    return OcrDone(document_id=document_id, cached=False, seconds=seconds)


def extract_document(services: Services, document_id: str) -> dict[str, ExtractedField]:
    with services.uow() as uow:
        document = uow.applications.get_document(document_id)
        reading = uow.ocr_readings.get(document.sha256, document.document_type,
                                       services.ocr.version, services.ocr.pipeline_version)
        if reading is None:
            raise RuntimeError(f"document {document_id} has no OCR reading yet")
        fields = extract_fields(reading, document.document_type)
        document.fields = {name: field.model_dump() for name, field in fields.items()}
        document.ocr_engine = reading.engine
        uow.commit()
        return fields


def application_facts(application: Application) -> ApplicationFacts:
    return ApplicationFacts(
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


def evaluate_application(services: Services, application_id: str) -> Decision:
    with services.uow() as uow:
        application = uow.applications.get(application_id)
        facts, waivers = application_facts(application), application.waiver_keys()
    return evaluate(facts, services.ruleset, local_today(services), waivers)


def record_decision(services: Services, application_id: str, decision: Decision, fingerprint: str) -> ApplicationState:
    """Moves the application out of `checking`. A second call for the same run finds it moved and does nothing."""
    with services.uow() as uow:
        application = uow.applications.get(application_id, for_update=True)
        if application.state != ApplicationState.CHECKING:
            return application.state
        now = services.clock()
        application.decisions.append(DecisionRecord(
            application_id=application.id, outcome=decision.outcome,
            deficiencies=[d.model_dump(mode="json") for d in decision.deficiencies],
            warnings=[w.model_dump(mode="json") for w in decision.warnings]
            + [{**w.model_dump(mode="json"), "waived": True} for w in decision.waived],
            rules_version=decision.rules_version, ocr_engine=services.ocr.version,
            fingerprint=fingerprint, decided_at=now,
        ))
        codes = ", ".join(sorted({d.code for d in decision.deficiencies})) or "all checks passed"
        application.transition(OUTCOME_STATE[decision.outcome], actor=ENGINE_ACTOR, reason=codes, at=now)
        requests.after_decision(services, uow, application, decision, now, ENGINE_ACTOR)
        uow.commit()
        return application.state
