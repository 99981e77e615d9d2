"""Staff overrides, each with a reason and an audit event: accept a finding, approve, reject, ask for a document."""
from __future__ import annotations

from onboarding.bootstrap import Services
from onboarding.domain.model import DecisionRecord
from onboarding.domain.states import ApplicationState as S
from onboarding.service import requests
from rules.messages import deficiency
from rules.model import Decision, Outcome

REVIEWABLE = frozenset({S.NEEDS_DOCUMENTS, S.MANUAL_REVIEW})


class ReviewRefused(ValueError):
    pass


def _require(application, states, action: str) -> None:
    if application.state not in states:
        allowed = ", ".join(sorted(states))
        raise ReviewRefused(f"{application.id} is {application.state}; {action} needs one of: {allowed}")


def waive(services: Services, application_id: str, code: str, document_type: str | None, *,
          actor: str, reason: str) -> None:
    """The next check run (which the caller starts) no longer blocks on this finding."""
    with services.uow() as uow:
        application = uow.applications.get(application_id, for_update=True)
        _require(application, REVIEWABLE, "accepting a finding")
        latest = application.latest_decision
        open_findings = {(d["code"], d.get("document_type")) for d in (latest.deficiencies if latest else [])}
        if (code, document_type) not in open_findings:
            listed = ", ".join(f"{c}:{t or '-'}" for c, t in sorted(open_findings, key=str)) or "none"
            raise ReviewRefused(f"{application_id} has no open finding {code}:{document_type or '-'} (open: {listed})")
        application.waive(code, document_type, actor=actor, reason=reason, at=services.clock())
        uow.commit()


def decide(services: Services, application_id: str, outcome: Outcome, *, actor: str, reason: str) -> None:
    """Approve or reject by hand; the merchant is told through the outbox as for an engine decision."""
    states = REVIEWABLE if outcome == Outcome.APPROVED else REVIEWABLE | {S.SUBMITTED}
    with services.uow() as uow:
        application = uow.applications.get(application_id, for_update=True)
        _require(application, states, f"{outcome} by staff")
        now = services.clock()
        decision = Decision(outcome=outcome, rules_version=services.ruleset.version_label,
                            evaluated_on=now.date())
        _record(application, decision, actor, reason, now, services)
        application.transition(S(outcome), actor=actor, reason=reason, at=now)
        requests.after_decision(services, uow, application, decision, now, actor)
        uow.commit()


def request_document(services: Services, application_id: str, document_type: str, *, actor: str, reason: str,
                     message_zh: str | None = None, message_en: str | None = None) -> None:
    """Ask the merchant for a document the checks did not ask for (or again, with staff's own words)."""
    with services.uow() as uow:
        application = uow.applications.get(application_id, for_update=True)
        _require(application, REVIEWABLE, "requesting a document")
        now = services.clock()
        item = deficiency(services.ruleset, "document_requested_by_staff", document_type=document_type,
                          evidence={"reason": reason}, reason=reason)
        item = item.model_copy(update={k: v for k, v in
                                       {"message_zh": message_zh, "message_en": message_en}.items() if v})
        still_open = [d for d in (application.latest_decision.deficiencies if application.latest_decision else [])
                      if d.get("merchant_fixable", True)]
        decision = Decision(outcome=Outcome.NEEDS_DOCUMENTS, rules_version=services.ruleset.version_label,
                            evaluated_on=now.date(), deficiencies=[*_as_models(still_open), item])
        _record(application, decision, actor, reason, now, services)
        if application.state != S.NEEDS_DOCUMENTS:
            application.transition(S.NEEDS_DOCUMENTS, actor=actor, reason=reason, at=now)
        requests.after_decision(services, uow, application, decision, now, actor)
        uow.commit()


def _as_models(items):
    from rules.model import Deficiency

    return [Deficiency.model_validate(i) for i in items]


def _record(application, decision: Decision, actor: str, reason: str, now, services: Services) -> None:
    application.decisions.append(DecisionRecord(
        application_id=application.id, outcome=decision.outcome,
        deficiencies=[d.model_dump(mode="json") for d in decision.deficiencies], warnings=[],
        rules_version=decision.rules_version, ocr_engine=services.ocr.version, fingerprint=f"staff:{reason}"[:64],
        decided_at=now, decided_by=actor,
    ))
