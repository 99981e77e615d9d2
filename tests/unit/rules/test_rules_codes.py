"""Every deficiency code DOMAIN.md suggests that the engine can produce is produced by some scenario."""
import pytest

from documents.types import DocumentType as D
from rules.model import MerchantType as M
from rules.model import Outcome, PossibleDuplicate
from rules_facts import (
    APPLICANT_ID, CARD, COMPANY_USCC, card_number, clean, decide, failing_luhn, id_number, ruleset, with_app,
    with_doc, with_fields, without_docs, wrong_last_char,
)

DOMAIN_CODES = {
    "document_missing", "document_unreadable", "document_too_small", "document_blurry", "document_corrupt",
    "document_type_mismatch", "document_missing_back", "document_expired", "document_expiring_soon",
    "address_proof_too_old", "id_number_invalid", "id_number_mismatch", "name_mismatch",
    "settlement_account_name_mismatch", "card_number_invalid", "uscc_invalid", "business_name_mismatch",
    "address_mismatch", "applicant_under_age", "duplicate_document", "ocr_low_confidence",
}
# Catalogued so that intake can name it, but ApplicationFacts carries no signal for it: intake
# refuses files it cannot decode, so no such file reaches the checks.
NOT_PRODUCED_BY_ENGINE = {"document_corrupt"}
# Written by staff (onboard review request), never by a check.
STAFF_CODES = {"document_requested_by_staff", "rejected_by_staff"}
VISA_FAILING_LUHN = failing_luhn(card_number("453201511283036"))

SCENARIOS = {
    "document_missing": lambda: without_docs(clean(), D.BANK_CARD),
    "document_missing_back": lambda: without_docs(clean(), D.ID_CARD_BACK),
    "document_type_mismatch": lambda: with_fields(clean(), D.ID_CARD_BACK, card_side="not_id_card"),
    "id_card_sides_swapped": lambda: swapped_sides(clean()),
    "document_unreadable": lambda: with_fields(clean(), D.ID_CARD_FRONT, name=None),
    "document_too_small": lambda: with_doc(clean(), D.ID_CARD_FRONT, width=640),
    "document_blurry": lambda: with_doc(clean(), D.ID_CARD_BACK, blur_score=3.0),
    "duplicate_document": lambda: with_doc(clean(), D.INTERIOR_PHOTO, sha256="sha-storefront_photo"),
    "document_expired": lambda: with_fields(clean(), D.ID_CARD_BACK, valid_until="2025-12-31"),
    "document_expiring_soon": lambda: with_fields(clean(), D.ID_CARD_BACK, valid_until="2026-04-01"),
    "address_proof_too_old": lambda: with_fields(clean(), D.ADDRESS_PROOF, issue_date="2025-06-01"),
    "address_mismatch": lambda: with_fields(clean(), D.ADDRESS_PROOF, address="广州市天河区体育西路191号"),
    "id_number_invalid": lambda: with_app(clean(), id_number=wrong_last_char(APPLICANT_ID)),
    "applicant_under_age": lambda: with_app(clean(), id_number=id_number(birth="20090101")),
    "id_number_mismatch": lambda: with_fields(clean(), D.ID_CARD_FRONT, id_number=id_number(sequence="246")),
    "name_mismatch": lambda: with_fields(clean(), D.ID_CARD_FRONT, name="王昌亮"),
    "sex_mismatch": lambda: with_fields(clean(), D.ID_CARD_FRONT, sex="男"),
    "birth_date_mismatch": lambda: with_fields(clean(), D.ID_CARD_FRONT, birth_date="1975-06-30"),
    "id_validity_period_inconsistent": lambda: with_fields(clean(), D.ID_CARD_BACK, valid_until="长期"),
    "settlement_account_name_mismatch": lambda: with_app(clean(), settlement_holder_name="李四"),
    "card_number_invalid": lambda: with_app(clean(), settlement_number=VISA_FAILING_LUHN),
    "card_number_luhn_failed": lambda: with_app(clean(), settlement_number=failing_luhn(CARD)),
    "card_number_mismatch": lambda: with_fields(clean(), D.BANK_CARD, card_number=card_number("6222029999999999")),
    "uscc_invalid": lambda: with_fields(clean(M.ENTERPRISE), D.BUSINESS_LICENSE, uscc=wrong_last_char(COMPANY_USCC)),
    "uscc_entity_type_mismatch": lambda: with_fields(clean(M.SOLE_TRADER), D.BUSINESS_LICENSE, uscc=COMPANY_USCC),
    "uscc_legacy_registration_number": lambda: with_fields(clean(M.ENTERPRISE), D.BUSINESS_LICENSE,
                                                           uscc="440781000123456"),
    "business_name_mismatch": lambda: with_fields(clean(M.ENTERPRISE), D.BUSINESS_LICENSE, company_name="别的公司"),
    "ocr_low_confidence": lambda: with_fields(clean(), D.BANK_CARD, confidence=0.2,
                                              card_number=card_number("6222029999999999")),
    "card_number_partly_read": lambda: with_fields(clean(), D.BANK_CARD, card_number=CARD[:-1]),
    "possible_duplicate": lambda: clean().model_copy(update={"possible_duplicates": [
        PossibleDuplicate(application_id="APP-OTHER001", matched_on=["id_number", "phone"])]}),
}


def swapped_sides(facts):
    front = with_fields(facts, D.ID_CARD_FRONT, card_side="front").documents[D.ID_CARD_FRONT]
    back = with_fields(facts, D.ID_CARD_BACK, card_side="back").documents[D.ID_CARD_BACK]
    return facts.model_copy(update={"documents": {**facts.documents, D.ID_CARD_FRONT: back, D.ID_CARD_BACK: front}})


@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_scenario_produces_its_code(code):
    decision = decide(SCENARIOS[code]())
    assert code in {d.code for d in decision.deficiencies + decision.warnings}


def test_every_domain_code_the_engine_can_produce_has_a_scenario():
    assert DOMAIN_CODES - NOT_PRODUCED_BY_ENGINE <= set(SCENARIOS)


def test_catalogue_covers_domain_and_engine_codes():
    catalogued = set(ruleset().catalogue.codes)
    assert DOMAIN_CODES <= catalogued
    assert set(SCENARIOS) <= catalogued
    assert catalogued <= set(SCENARIOS) | NOT_PRODUCED_BY_ENGINE | STAFF_CODES, "catalogued code with no scenario"


def test_a_possible_duplicate_goes_to_staff_naming_the_other_application():
    decision = decide(SCENARIOS["possible_duplicate"]())
    (finding,) = [d for d in decision.deficiencies if d.code == "possible_duplicate"]
    assert decision.outcome == Outcome.MANUAL_REVIEW and not finding.merchant_fixable
    assert finding.evidence == {"others": [{"application_id": "APP-OTHER001", "matched_on": ["id_number", "phone"]}]}
    assert "APP-OTHER001" in finding.staff_note and "APP-OTHER001" not in finding.message_zh + finding.message_en
