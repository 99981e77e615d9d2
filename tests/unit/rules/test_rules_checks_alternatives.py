"""A reading a character off the application's, where the recogniser itself weighed the application's
character at that place (RapidOCR's alternatives), says what the application says; anything less is still
a mismatch for staff or the merchant as before."""
from __future__ import annotations

import pytest

from documents.types import CharAlternative, DocumentType as D, ExtractedField
from rules.model import MerchantType, Outcome
from rules_facts import CARD, COMPANY_NAME, LEGAL_NAME, clean, codes, decide, with_doc

LICENSE_MISREAD = COMPANY_NAME.replace("昌", "吕", 1)  # 江门市吕良…: one character off, as 水 for 永


def _with_field(facts, document_type, name, value, alternatives=(), confidence=0.95):
    document = facts.documents[document_type]
    field = ExtractedField(value=value, confidence=confidence,
                           alternatives=[CharAlternative(at=at, options=options) for at, options in alternatives])
    return with_doc(facts, document_type, fields={**document.fields, name: field})


def _company(alternatives):
    at = LICENSE_MISREAD.index("吕")
    return _with_field(clean(MerchantType.ENTERPRISE), D.BUSINESS_LICENSE, "company_name", LICENSE_MISREAD,
                       [(at, options) for options in alternatives])


def test_licence_name_a_character_off_with_the_applications_character_weighed_is_approved():
    decision = decide(_company([{"昌": 0.47, "品": 0.02}]))
    assert decision.outcome == Outcome.APPROVED, codes(decision.deficiencies)


@pytest.mark.parametrize("alternatives", [
    pytest.param([{"昌": 0.05}], id="weighed-too-little"),
    pytest.param([{"品": 0.40}], id="another-character-weighed"),
    pytest.param([], id="nothing-weighed"),
])
def test_licence_name_otherwise_stays_a_near_mismatch_for_staff(alternatives):
    decision = decide(_company(alternatives))
    (found,) = [d for d in decision.deficiencies if d.code == "business_name_mismatch"]
    assert (found.variant, found.merchant_fixable) == ("near", False)
    assert decision.outcome == Outcome.MANUAL_REVIEW


def test_an_alternative_at_another_place_explains_nothing():
    facts = _with_field(clean(MerchantType.ENTERPRISE), D.BUSINESS_LICENSE, "company_name", LICENSE_MISREAD,
                        [(0, {"昌": 0.9})])
    assert "business_name_mismatch" in codes(decide(facts).deficiencies)


def test_two_characters_off_are_not_taken_even_if_both_were_weighed():
    read = LEGAL_NAME[0] + "吕亮"  # 王吕亮 for 王昌良
    facts = _with_field(clean(), D.ID_CARD_FRONT, "name", read, [(1, {"昌": 0.4}), (2, {"良": 0.4})])
    assert "name_mismatch" in codes(decide(facts).deficiencies)


def test_id_card_name_with_the_applications_character_weighed_is_approved():
    facts = _with_field(clean(), D.ID_CARD_FRONT, "name", "主" + LEGAL_NAME[1:], [(0, {LEGAL_NAME[0]: 0.17})])
    decision = decide(facts)
    assert decision.outcome == Outcome.APPROVED, codes(decision.deficiencies)


def test_doubtful_card_reading_whose_unsure_digit_was_weighed_as_the_applications_is_no_finding():
    last = CARD[-1]
    misread = CARD[:-1] + ("4" if last != "4" else "7")
    spaced = f"{misread[:6]} {misread[6:]}"  # the card's own grouping: the place counts in the value as read
    facts = _with_field(clean(), D.BANK_CARD, "card_number", spaced, [(len(spaced) - 1, {last: 0.37})],
                        confidence=0.39)
    decision = decide(facts)
    assert decision.outcome == Outcome.APPROVED, codes(decision.deficiencies)


def test_doubtful_card_reading_without_that_goes_to_staff_as_before():
    misread = CARD[:-1] + ("4" if CARD[-1] != "4" else "7")
    other = next(digit for digit in "0123456789" if digit not in (CARD[-1], misread[-1]))
    facts = _with_field(clean(), D.BANK_CARD, "card_number", misread, [(len(misread) - 1, {other: 0.37})],
                        confidence=0.39)
    decision = decide(facts)
    assert "ocr_low_confidence" in codes(decision.deficiencies)
    assert decision.outcome == Outcome.MANUAL_REVIEW
