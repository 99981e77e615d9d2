from datetime import date

import pytest

from documents.types import DocumentType as D
from rules.engine import deficiency_order, evaluate
from rules.model import MerchantType as M
from rules.model import Outcome
from rules_facts import (
    APPLICANT_ID, CARD, TODAY, clean, decide, failing_luhn, id_number, ruleset, with_app, with_doc, with_fields,
    without_docs, wrong_last_char,
)

OUTCOME_CASES = [
    pytest.param(lambda f: f, Outcome.APPROVED, id="clean"),
    pytest.param(lambda f: without_docs(f, D.BANK_CARD), Outcome.NEEDS_DOCUMENTS, id="missing-doc"),
    pytest.param(lambda f: with_fields(f, D.ID_CARD_FRONT, confidence=0.4, name="王昌亮"),
                 Outcome.MANUAL_REVIEW, id="low-confidence-only"),
    pytest.param(lambda f: with_fields(without_docs(f, D.BANK_CARD), D.ID_CARD_FRONT, confidence=0.4,
                                       name="王昌良"),
                 Outcome.NEEDS_DOCUMENTS, id="fixable-and-staff"),
    pytest.param(lambda f: _luhn_failing_unionpay(f), Outcome.APPROVED, id="warning-only"),
    pytest.param(lambda f: with_app(without_docs(f, D.BANK_CARD), id_number=wrong_last_char(APPLICANT_ID)),
                 Outcome.REJECTED, id="invalid-id-number"),
    pytest.param(lambda f: with_app(f, id_number=id_number(birth="20100101")), Outcome.REJECTED,
                 id="under-age"),
]


def _luhn_failing_unionpay(facts):
    number = failing_luhn(CARD)
    return with_fields(with_app(facts, settlement_number=number), D.BANK_CARD, card_number=number)


@pytest.mark.parametrize("change, outcome", OUTCOME_CASES)
def test_outcome(change, outcome):
    assert decide(change(clean())).outcome == outcome


def test_needs_documents_keeps_staff_items_for_staff():
    facts = with_fields(without_docs(clean(), D.BANK_CARD), D.ID_CARD_FRONT, confidence=0.4, name="王昌亮")
    decision = decide(facts)
    assert {(d.code, d.merchant_fixable) for d in decision.deficiencies} == {
        ("document_missing", True), ("ocr_low_confidence", False),
    }


def test_warnings_are_kept_apart():
    decision = decide(_luhn_failing_unionpay(clean()))
    assert decision.deficiencies == []
    assert [w.code for w in decision.warnings] == ["card_number_luhn_failed"]


def test_decision_records_rules_version_and_day():
    decision = decide(clean(), today=date(2026, 5, 5))
    assert decision.rules_version == ruleset().version_label
    assert decision.evaluated_on == date(2026, 5, 5)


def _messy():
    facts = without_docs(clean(M.SOLE_TRADER), D.INTERIOR_PHOTO)
    facts = with_fields(facts, D.ID_CARD_BACK, valid_until="2025-01-01")
    facts = with_fields(facts, D.BUSINESS_LICENSE, company_name="别的店", legal_representative="李四")
    facts = with_fields(facts, D.ID_CARD_FRONT, name="王昌亮")
    facts = with_doc(facts, D.STOREFRONT_PHOTO, width=300)
    return with_app(facts, settlement_holder_name="张三")


def test_deficiencies_are_ordered_by_document_then_code():
    decision = decide(_messy())
    assert [(d.document_type, d.code) for d in decision.deficiencies] == [
        (D.ID_CARD_FRONT, "name_mismatch"),
        (D.ID_CARD_BACK, "document_expired"),
        (D.BANK_CARD, "settlement_account_name_mismatch"),
        (D.BUSINESS_LICENSE, "business_name_mismatch"),
        (D.BUSINESS_LICENSE, "name_mismatch"),
        (D.STOREFRONT_PHOTO, "document_too_small"),
        (D.INTERIOR_PHOTO, "document_missing"),
    ]
    assert decision.deficiencies == sorted(decision.deficiencies, key=deficiency_order)


def test_same_facts_same_decision():
    assert decide(_messy()) == decide(_messy())
    reordered = _messy()
    reordered = reordered.model_copy(update={"documents": dict(reversed(list(reordered.documents.items())))})
    assert decide(reordered) == decide(_messy())


def test_blurred_photo_is_not_also_reported_unreadable():
    facts = with_fields(with_doc(clean(), D.ID_CARD_FRONT, blur_score=12.0), D.ID_CARD_FRONT, name=None)
    assert [(d.code, d.document_type) for d in decide(facts).deficiencies] == [
        ("document_blurry", D.ID_CARD_FRONT),
    ]


def test_duplicate_explains_the_garbage_read_from_it():
    # The front uploaded twice: the "back" has no validity dates to read.
    back = clean().documents[D.ID_CARD_FRONT].model_copy(update={"document_type": D.ID_CARD_BACK})
    facts = with_doc(clean(), D.ID_CARD_BACK, **back.model_dump(exclude={"document_type"}))
    assert [d.code for d in decide(facts).deficiencies] == ["duplicate_document"]


def test_unreadable_stays_when_nothing_explains_it():
    facts = with_fields(clean(), D.ID_CARD_FRONT, name=None)
    assert [d.code for d in decide(facts).deficiencies] == ["document_unreadable"]


def test_evaluate_takes_today_from_the_caller():
    facts = with_fields(clean(), D.ID_CARD_BACK, valid_until="2026-04-01")
    assert evaluate(facts, ruleset(), date(2026, 1, 1)).outcome == Outcome.APPROVED
    assert evaluate(facts, ruleset(), TODAY).outcome == Outcome.NEEDS_DOCUMENTS
