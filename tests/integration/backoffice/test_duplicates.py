"""Possible duplicates through the checks: a staff-only finding naming the other application, never sent."""
from __future__ import annotations

from onboarding.service.checking import evaluate_application, record_decision
from onboarding.service import duplicates
from tests.integration.backoffice.conftest import build_case, outbox_of


def test_a_second_application_of_the_same_person_goes_to_staff_naming_the_first(services):
    first = build_case(services, seed=1, state="approved")
    second = build_case(services, seed=2, state="checking", legal_name="王昌良", business_name="台山市昌良小吃二店")
    decision = evaluate_application(services, second.application_id)
    (finding,) = [d for d in decision.deficiencies if d.code == "possible_duplicate"]
    assert finding.evidence["others"] == [{"application_id": first.application_id,
                                           "matched_on": ["card_number", "id_number", "phone"]}]
    assert not finding.merchant_fixable
    # The sample lacks documents the merchant is asked for; the staff-only finding rides along, unsent.
    assert str(record_decision(services, second.application_id, decision, "fp")) == "needs_documents"
    sent = " ".join(m["body"] for m in outbox_of(services, second.application_id))
    assert sent and first.application_id not in sent and "人工核对您的申请" not in sent


def test_not_a_duplicate_clears_the_finding_on_the_next_check(services):
    first = build_case(services, seed=1, state="approved")
    second = build_case(services, seed=2, state="checking", legal_name="王昌良")
    evaluate_application(services, second.application_id)
    duplicates.clear(services, second.application_id, [first.application_id], actor="staff:rita",
                     reason="same owner, second shop: allowed")
    decision = evaluate_application(services, second.application_id)
    assert "possible_duplicate" not in {d.code for d in decision.deficiencies}
