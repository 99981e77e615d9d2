import pytest

from documents.types import DocumentType as D
from documents.types import ExtractedField
from rules.model import MerchantType as M
from rules.checks.confidence import check_field_confidence, check_required_fields_read
from rules_facts import APPLICANT_ID, clean, codes, context, with_doc, with_fields, without_fields

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
    assert found.evidence["fields"] == ["name", "id_number"]
    # The photo passed the quality gate: a reading problem for staff, with what was read beside it.
    assert not found.merchant_fixable and found.variant == "sharp_image"
    assert "name, ID number" in found.staff_note and "passed the quality gate" in found.staff_note
    assert "无需重新上传" in found.message_zh


def test_a_field_missing_from_a_small_photo_asks_the_merchant():
    facts = with_doc(without_fields(clean(), D.ID_CARD_FRONT, "name"), D.ID_CARD_FRONT, width=600)
    (found,) = check_required_fields_read(context(facts))
    assert found.variant is None and found.merchant_fixable
    assert "姓名" in found.message_zh and "name" in found.message_en


def test_the_partial_reading_goes_to_staff_masked():
    facts = without_fields(clean(M.SOLE_TRADER), D.BUSINESS_LICENSE, "company_name")
    (found,) = check_required_fields_read(context(facts))
    assert found.evidence["read"]["legal_representative"] == "王昌良"
    assert "legal_representative “王昌良”" in found.staff_note and not found.merchant_fixable
    facts = without_fields(clean(), D.ID_CARD_FRONT, "name")
    (found,) = check_required_fields_read(context(facts))
    assert APPLICANT_ID not in found.staff_note + str(found.evidence)


CONFIDENCE_CASES = [
    pytest.param(0.6, [], id="at-threshold"),
    pytest.param(0.59, ["ocr_low_confidence"], id="below"),
]


@pytest.mark.parametrize("confidence, expected", CONFIDENCE_CASES)
def test_low_confidence(confidence, expected):
    facts = with_fields(clean(), D.ID_CARD_FRONT, confidence=confidence, name="王昌亮")
    found = check_field_confidence(context(facts))
    assert codes(found) == expected
    assert all(not d.merchant_fixable and d.field == "name" for d in found)


def test_low_confidence_on_unreadable_field_is_reported_once_as_unreadable():
    facts = clean()
    front = facts.documents[D.ID_CARD_FRONT]
    front.fields["name"] = ExtractedField(value=None, confidence=0.1)
    assert check_field_confidence(context(facts)) == []


def test_low_confidence_id_number_is_masked_in_evidence():
    other = APPLICANT_ID[:-5] + "12345"
    facts = with_fields(clean(), D.ID_CARD_FRONT, confidence=0.3, id_number=other)
    (found,) = check_field_confidence(context(facts))
    assert other not in str(found.evidence) + found.staff_note


AGREEING_CASES = [
    pytest.param(D.ID_CARD_FRONT, "name", "王昌良", id="name"),
    pytest.param(D.ID_CARD_FRONT, "id_number", APPLICANT_ID, id="id-number"),
    pytest.param(D.BUSINESS_LICENSE, "legal_representative", "王 昌良", id="legal-representative"),
]


@pytest.mark.parametrize("document_type, field, value", AGREEING_CASES)
def test_a_doubtful_reading_of_exactly_the_applications_value_is_confirmed_by_it(document_type, field, value):
    facts = with_fields(clean(), document_type, confidence=0.3, **{field: value})
    assert check_field_confidence(context(facts)) == []
