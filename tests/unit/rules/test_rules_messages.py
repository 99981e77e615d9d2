from datetime import date

import pytest

from documents.types import DocumentType as D
from rules.messages import GAP, deficiency
from rules_facts import ruleset


def test_document_type_names_are_human_words_in_both_languages():
    found = deficiency(ruleset(), "document_missing", D.ID_CARD_FRONT, alternatives=[D.ID_CARD_FRONT])
    assert found.message_zh == "请上传身份证人像面。"
    assert found.message_en == "Please upload your ID card front (photo side)."
    assert "id_card_front" not in found.message_zh + found.message_en


def test_document_specific_wording_and_dates():
    found = deficiency(ruleset(), "document_expired", D.ID_CARD_BACK, "valid_until",
                       evidence={"valid_until": date(2024, 3, 1)})
    assert found.message_zh == "您的身份证已于2024-03-01过期，请上传新的身份证（正反面）。"
    assert found.evidence == {"valid_until": "2024-03-01"}  # JSON-ready
    assert found.merchant_fixable


def test_generic_wording_for_other_documents():
    found = deficiency(ruleset(), "document_expired", D.BUSINESS_LICENSE, evidence={"valid_until": "2024-03-01"})
    assert found.message_zh.startswith("您的营业执照已于2024-03-01过期")


@pytest.mark.parametrize("code", ["something_new", "", "名字"])
def test_unknown_code_gets_generic_message_for_staff(code):
    found = deficiency(ruleset(), code, D.BANK_CARD, evidence={"x": 1})
    assert found.code == code
    assert not found.merchant_fixable
    assert found.message_zh and found.message_en
    assert "bank_card" in found.staff_note


def test_missing_parameters_leave_a_gap_not_a_crash():
    found = deficiency(ruleset(), "name_mismatch", D.ID_CARD_FRONT)
    assert GAP in found.message_zh and GAP in found.message_en


@pytest.mark.parametrize("code", sorted(ruleset().catalogue.codes))
def test_every_catalogue_message_renders_without_parameters(code):
    for document_type in [None, *D]:
        found = deficiency(ruleset(), code, document_type)
        assert found.message_zh and found.message_en and found.staff_note
        assert "{" not in found.message_zh + found.message_en


def test_evidence_shadowed_by_a_parameter_stays_reachable():
    found = deficiency(ruleset(), "business_name_mismatch", D.BUSINESS_LICENSE,
                       evidence={"document": "甲公司", "application": "乙公司"})
    assert "营业执照上的名称“甲公司”" in found.message_zh


def test_alternatives_join_with_or():
    found = deficiency(ruleset(), "document_missing", D.ADDRESS_PROOF,
                       alternatives=[D.ADDRESS_PROOF, D.BUSINESS_LICENSE])
    assert found.message_zh == "请上传经营场所证明（租赁合同或水电费账单）或营业执照。"
    assert found.message_en.endswith("(lease or utility bill) or business licence.")
