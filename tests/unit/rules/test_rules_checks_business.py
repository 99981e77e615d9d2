import pytest

from documents.types import DocumentType as D
from rules.checks.business import check_license_names, check_uscc
from rules.model import MerchantType as M
from rules_facts import (
    BUSINESS_NAME, COMPANY_USCC, SOLE_TRADER_USCC, clean, codes, context, decide, uscc, with_doc, with_fields,
    wrong_last_char,
)

LICENSE = D.BUSINESS_LICENSE


USCC_CASES = [
    pytest.param(M.ENTERPRISE, COMPANY_USCC, [], id="company"),
    pytest.param(M.SOLE_TRADER, SOLE_TRADER_USCC, [], id="sole-trader"),
    pytest.param(M.ENTERPRISE, wrong_last_char(COMPANY_USCC), ["uscc_invalid"], id="check-char"),
    pytest.param(M.ENTERPRISE, COMPANY_USCC[:17], ["uscc_invalid"], id="17-chars"),
    pytest.param(M.ENTERPRISE, "91440781MA4WABCDI", ["uscc_invalid"], id="letter-I-not-in-alphabet"),
    # letter-prefixed codes (stdnum's validator rejects these) are real codes
    pytest.param(M.ENTERPRISE, uscc("N2440781MA4WABCD1"), [], id="letter-prefix"),
    pytest.param(M.ENTERPRISE, uscc("Y1440781MA4WABCD1"), [], id="letter-prefix-Y"),
    pytest.param(M.ENTERPRISE, COMPANY_USCC.lower(), [], id="lower-case"),
    pytest.param(M.SOLE_TRADER, COMPANY_USCC, ["uscc_entity_type_mismatch"], id="sole-trader-not-92"),
    pytest.param(M.ENTERPRISE, SOLE_TRADER_USCC, ["uscc_entity_type_mismatch"], id="company-with-92"),
    pytest.param(M.SMALL_MICRO, COMPANY_USCC, [], id="small-micro-any-licence"),
    pytest.param(M.ENTERPRISE, "440781000123456", ["uscc_legacy_registration_number"], id="legacy-15-digit"),
]


@pytest.mark.parametrize("merchant_type, code, expected", USCC_CASES)
def test_uscc(merchant_type, code, expected):
    facts = with_fields(with_doc(clean(merchant_type), LICENSE), LICENSE, uscc=code)
    assert codes(check_uscc(context(facts))) == expected


@pytest.mark.parametrize("code, effect_is_warning", [
    (wrong_last_char(COMPANY_USCC), False), ("440781000123456", True),
])
def test_uscc_findings_fixability(code, effect_is_warning):
    (found,) = check_uscc(context(with_fields(clean(M.ENTERPRISE), LICENSE, uscc=code)))
    assert found.merchant_fixable is not effect_is_warning


def test_clearly_read_invalid_code_asks_for_the_genuine_licence_and_says_why():
    bad = wrong_last_char(COMPANY_USCC)
    decision = decide(with_fields(clean(M.ENTERPRISE), LICENSE, confidence=0.72, uscc=bad))
    (found,) = decision.deficiencies
    assert (decision.outcome, found.code, found.merchant_fixable) == ("needs_documents", "uscc_invalid", True)
    assert found.evidence == {"uscc": bad, "confidence": 0.72,
                              "reason": f"check character is 0, GB 32100 gives {COMPANY_USCC[-1]}"}
    assert bad in found.message_zh and "原件" in found.message_zh and "genuine" in found.message_en
    assert "possible forgery" in found.staff_note and "GB 32100 gives" in found.staff_note


def test_doubtful_read_of_an_invalid_code_goes_to_staff():
    decision = decide(with_fields(clean(M.ENTERPRISE), LICENSE, confidence=0.3, uscc=wrong_last_char(COMPANY_USCC)))
    assert decision.outcome == "manual_review"
    assert [(d.code, d.document_type) for d in decision.deficiencies] == [("ocr_low_confidence", LICENSE)]


NAME_CASES = [
    pytest.param({}, [], id="same"),
    pytest.param({"company_name": "台山市北陡镇昌良小吃 店"}, [], id="space"),
    pytest.param({"company_name": "台山市北陡镇昌良饭店"}, ["business_name_mismatch"], id="company"),
    pytest.param({"legal_representative": "王昌亮"}, ["name_mismatch"], id="legal-representative"),
    pytest.param({"company_name": "别的店", "legal_representative": "李四"},
                 ["business_name_mismatch", "name_mismatch"], id="both"),
]


@pytest.mark.parametrize("changes, expected", NAME_CASES)
def test_license_names(changes, expected):
    found = check_license_names(context(with_fields(clean(M.SOLE_TRADER), LICENSE, **changes)))
    assert codes(found) == expected
    assert all(d.document_type == LICENSE for d in found)


def test_company_name_in_full_width_brackets_matches_half_width():
    facts = with_fields(clean(M.ENTERPRISE), LICENSE, company_name="江门市昌良（餐饮）管理有限公司")
    facts = facts.model_copy(update={"business_name": "江门市昌良(餐饮)管理有限公司"})
    assert check_license_names(context(facts)) == []


def test_business_name_mismatch_evidence():
    facts = with_fields(clean(M.SOLE_TRADER), LICENSE, company_name="台山市北陡镇昌良饭店")
    (found,) = check_license_names(context(facts))
    assert found.evidence == {"document": "台山市北陡镇昌良饭店", "application": BUSINESS_NAME}
