"""The what-if comparison: which applications a candidate rule set decides differently, and how."""
from __future__ import annotations

from typing import Any

from documents.types import DocumentType as D
from rules.model import MerchantType as M
from rules.model import Outcome
from rules.schema import Effect, Requirement, RuleSet
from rules.what_if import Finding, WhatIfCase, diff_decisions, what_if
from rules_facts import TODAY, clean, decide, ruleset, with_fields, without_docs

# TODAY is 2026-03-01: 45 days left is "expiring" under the packaged 60, 90 days left is not.
EXPIRES_IN_45_DAYS = "2026-04-15"
EXPIRES_IN_90_DAYS = "2026-05-30"


def with_thresholds(rules: RuleSet, label: str, **changes: Any) -> RuleSet:
    thresholds = rules.policy.thresholds.model_copy(update=changes)
    policy = rules.policy.model_copy(update={"thresholds": thresholds})
    return rules.model_copy(update={"policy": policy, "version_label": label})


def with_code(rules: RuleSet, label: str, code: str, **changes: Any) -> RuleSet:
    entry = rules.catalogue.codes[code].model_copy(update=changes)
    catalogue = rules.catalogue.model_copy(update={"codes": {**rules.catalogue.codes, code: entry}})
    return rules.model_copy(update={"catalogue": catalogue, "version_label": label})


def case(application_id: str, facts, waivers=frozenset()) -> WhatIfCase:
    return WhatIfCase(application_id=application_id, facts=facts, waivers=frozenset(waivers))


def expiring_in_45_days():
    return with_fields(clean(), D.ID_CARD_BACK, valid_until=EXPIRES_IN_45_DAYS, valid_from="2006-04-15")


def expiring_in_90_days_and_missing_card():
    facts = with_fields(clean(), D.ID_CARD_BACK, valid_until=EXPIRES_IN_90_DAYS, valid_from="2006-05-30")
    return without_docs(facts, D.BANK_CARD)


EXPIRING_SOON = Finding(code="document_expiring_soon", document_type="id_card_back", field="valid_until")
CARD_MISSING = Finding(code="document_missing", document_type="bank_card")


def test_the_same_rules_change_nothing_but_every_application_is_counted():
    rules = ruleset()
    cases = [case("APP-1", clean()), case("APP-2", expiring_in_45_days()),
             case("APP-3", expiring_in_90_days_and_missing_card())]
    report = what_if(cases, rules, rules, TODAY)
    assert report.evaluated == 3 and report.changed == []
    assert report.rules_before == report.rules_after == rules.version_label


def test_a_lower_validity_threshold_approves_the_application_it_alone_was_blocking():
    current = ruleset()
    candidate = with_thresholds(current, "candidate", min_validity_days=30)
    cases = [case("APP-CLEAN", clean()), case("APP-45", expiring_in_45_days()),
             case("APP-90", expiring_in_90_days_and_missing_card())]
    report = what_if(cases, current, candidate, TODAY)

    assert [c.application_id for c in report.changed] == ["APP-45"]
    (change,) = report.changed
    assert change.transition == (Outcome.NEEDS_DOCUMENTS, Outcome.APPROVED)
    assert change.before.deficiencies == [EXPIRING_SOON] and change.after.deficiencies == []
    assert change.added == []
    assert [Finding(**r.model_dump(exclude={"note"})) for r in change.removed] == [EXPIRING_SOON]
    assert change.removed[0].note  # staff see why it went away
    assert report.rules_before == current.version_label and report.rules_after == "candidate"


def test_a_higher_validity_threshold_adds_a_finding_without_changing_the_outcome():
    current = ruleset()
    candidate = with_thresholds(current, "candidate", min_validity_days=120)
    cases = [case("APP-CLEAN", clean()), case("APP-45", expiring_in_45_days()),
             case("APP-90", expiring_in_90_days_and_missing_card())]
    report = what_if(cases, current, candidate, TODAY)

    # APP-45 is "expiring soon" under both: the finding is the same even though its evidence differs.
    assert [c.application_id for c in report.changed] == ["APP-90"]
    changes = {c.application_id: c for c in report.changed}
    assert changes["APP-90"].transition == (Outcome.NEEDS_DOCUMENTS, Outcome.NEEDS_DOCUMENTS)
    assert set(changes["APP-90"].after.deficiencies) == {CARD_MISSING, EXPIRING_SOON}
    assert [a.code for a in changes["APP-90"].added] == ["document_expiring_soon"]
    assert changes["APP-90"].removed == []


def test_waivers_apply_to_both_sides():
    facts = with_fields(clean(), D.ADDRESS_PROOF, address="广州市天河区体育西路191号")
    waiver = ("address_mismatch", "address_proof", facts.documents[D.ADDRESS_PROOF].sha256)
    candidate = with_thresholds(ruleset(), "candidate", address_match_min_score=0.95)
    report = what_if([case("APP-WAIVED", facts, {waiver}), case("APP-NOT", facts)], ruleset(), candidate, TODAY)
    assert report.changed == []
    assert decide(facts).outcome == Outcome.NEEDS_DOCUMENTS  # without the waiver it does block


def test_reworded_messages_are_not_changes():
    current = ruleset()
    entry = current.catalogue.codes["document_expiring_soon"]
    reworded = entry.message.model_copy(update={"en": "Your ID card runs out soon; please send the new one."})
    candidate = with_code(current, "candidate", "document_expiring_soon", message=reworded)
    report = what_if([case("APP-45", expiring_in_45_days())], current, candidate, TODAY)
    assert report.evaluated == 1 and report.changed == []


def test_a_code_turned_into_a_staff_warning_no_longer_blocks():
    current = ruleset()
    candidate = with_code(current, "candidate", "document_expiring_soon", effect=Effect.WARN, merchant_fixable=False)
    report = what_if([case("APP-45", expiring_in_45_days())], current, candidate, TODAY)
    (change,) = report.changed
    assert change.transition == (Outcome.NEEDS_DOCUMENTS, Outcome.APPROVED)
    assert [r.code for r in change.removed] == ["document_expiring_soon"]


def test_a_new_required_document_is_reported_as_added():
    current = ruleset()
    required = current.policy.required_documents
    stricter = {**required, M.SMALL_MICRO: (*required[M.SMALL_MICRO], Requirement(any_of=(D.BUSINESS_LICENSE,)))}
    policy = current.policy.model_copy(update={"required_documents": stricter})
    candidate = current.model_copy(update={"policy": policy, "version_label": "candidate"})
    report = what_if([case("APP-1", clean(M.SMALL_MICRO))], current, candidate, TODAY)
    (change,) = report.changed
    assert change.transition == (Outcome.APPROVED, Outcome.NEEDS_DOCUMENTS)
    assert [(a.code, a.document_type) for a in change.added] == [("document_missing", "business_license")]


def test_summary_counts_changed_applications_by_outcome_transition():
    current = ruleset()
    candidate = with_thresholds(current, "candidate", min_validity_days=120)
    cases = [case("APP-A", expiring_in_90_days_and_missing_card()),
             case("APP-B", expiring_in_90_days_and_missing_card()),
             case("APP-C", with_fields(clean(), D.ID_CARD_BACK, valid_until=EXPIRES_IN_90_DAYS,
                                       valid_from="2006-05-30"))]
    data = what_if(cases, current, candidate, TODAY).as_json()
    assert data["summary"] == {
        "evaluated": 3, "changed": 3,
        "by_transition": [
            {"before": "needs_documents", "after": "needs_documents", "count": 2},
            {"before": "approved", "after": "needs_documents", "count": 1},
        ],
    }


def test_json_document_has_the_promised_shape():
    current = ruleset()
    candidate = with_thresholds(current, "candidate", min_validity_days=30)
    data = what_if([case("APP-45", expiring_in_45_days())], current, candidate, TODAY).as_json()
    assert {"rules_before", "rules_after", "evaluated", "changed"} <= set(data)
    (change,) = data["changed"]
    assert set(change) == {"application_id", "before", "after", "added", "removed"}
    assert change["before"] == {"outcome": "needs_documents", "deficiencies": [
        {"code": "document_expiring_soon", "document_type": "id_card_back", "field": "valid_until"}]}
    assert change["after"] == {"outcome": "approved", "deficiencies": []}
    assert change["removed"][0]["code"] == "document_expiring_soon" and change["removed"][0]["note"]
    assert data["evaluated_on"] == TODAY.isoformat()


def test_diff_of_identical_decisions_is_none():
    decision = decide(expiring_in_45_days())
    assert diff_decisions("APP-1", decision, decision) is None
