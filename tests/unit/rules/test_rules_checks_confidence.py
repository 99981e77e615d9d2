import pytest

from documents.types import DocumentType as D
from documents.types import ExtractedField
from rules.checks.confidence import check_field_confidence, check_required_fields_read
from rules_facts import APPLICANT_ID, clean, codes, context, with_fields, without_fields

UNREADABLE_CASES = [
    pytest.param(D.ID_CARD_FRONT, "name", None, ["name"], id="null"),
    pytest.param(D.ID_CARD_FRONT, "id_number", "  ", ["id_number"], id="blank"),
    pytest.param(D.ID_CARD_BACK, "valid_until", "20?5.0?.01", ["valid_until"], id="garbled-date"),
    pytest.param(D.ID_CARD_BACK, "valid_until", "长期", [], id="long-term-is-readable"),
    pytest.param(D.ADDRESS_PROOF, "issue_date", "长期", ["issue_date"], id="long-term-not-a-date-here"),
    pytest.param(D.ID_CARD_FRONT, "ethnicity", None, [], id="optional-field"),
]


@pytest.mark.parametrize("document_type, field, value, unread", UNREADABLE_CASES)
def test_required_field_unreadable(document_type, field, value, unread):
    found = check_required_fields_read(context(with_fields(clean(), document_type, **{field: value})))
    assert [d.evidence["fields"] for d in found] == ([unread] if unread else [])
    assert codes(found) == (["document_unreadable"] if unread else [])


def test_absent_fields_are_listed_together_in_human_words():
    facts = without_fields(clean(), D.ID_CARD_FRONT, "name", "id_number")
    (found,) = check_required_fields_read(context(facts))
    assert found.document_type == D.ID_CARD_FRONT and found.field == "name"
    assert found.evidence == {"fields": ["name", "id_number"]}
    assert "姓名、公民身份号码" in found.message_zh and "name, ID number" in found.message_en
    assert found.merchant_fixable


CONFIDENCE_CASES = [
    pytest.param(0.6, [], id="at-threshold"),
    pytest.param(0.59, ["ocr_low_confidence"], id="below"),
]


@pytest.mark.parametrize("confidence, expected", CONFIDENCE_CASES)
def test_low_confidence(confidence, expected):
    facts = with_fields(clean(), D.ID_CARD_FRONT, confidence=confidence, name="王昌良")
    found = check_field_confidence(context(facts))
    assert codes(found) == expected
    assert all(not d.merchant_fixable and d.field == "name" for d in found)


def test_low_confidence_on_unreadable_field_is_reported_once_as_unreadable():
    facts = clean()
    front = facts.documents[D.ID_CARD_FRONT]
    front.fields["name"] = ExtractedField(value=None, confidence=0.1)
    assert check_field_confidence(context(facts)) == []


def test_low_confidence_id_number_is_masked_in_evidence():
    facts = with_fields(clean(), D.ID_CARD_FRONT, confidence=0.3, id_number=APPLICANT_ID)
    (found,) = check_field_confidence(context(facts))
    assert APPLICANT_ID not in str(found.evidence) + found.staff_note
