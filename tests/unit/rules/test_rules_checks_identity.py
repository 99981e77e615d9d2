from datetime import date

import pytest

from documents.types import DocumentType as D
from rules.checks.identity import as_18_digits, check_application_id_number, check_id_card_front
from rules_facts import (
    APPLICANT_ID, TODAY, clean, codes, context, decide, id_number, with_app, with_fields, wrong_last_char,
)

FRONT = D.ID_CARD_FRONT
LEGACY = "440781750603248"  # 15 digits: region, YYMMDD, sequence; no check char

APPLICATION_CASES = [
    pytest.param(APPLICANT_ID, [], id="valid"),
    pytest.param(wrong_last_char(APPLICANT_ID), ["id_number_invalid"], id="check-char"),
    pytest.param(APPLICANT_ID[:17], ["id_number_invalid"], id="17-chars"),
    pytest.param(id_number(birth="19750231"), ["id_number_invalid"], id="31-feb"),
    pytest.param(id_number(birth="20270101"), ["id_number_invalid"], id="born-in-future"),
    pytest.param(LEGACY, [], id="legacy-15"),
    pytest.param("44078175063124X", ["id_number_invalid"], id="legacy-not-digits"),
    pytest.param(next(n for s in range(100, 200) if (n := id_number(sequence=str(s)))[-1] == "X").lower(),
                 [], id="lower-case-x"),
    pytest.param(" ".join([APPLICANT_ID[:6], APPLICANT_ID[6:14], APPLICANT_ID[14:]]), [], id="spaces"),
    pytest.param(id_number(birth="20080302"), ["applicant_under_age"], id="one-day-short-of-18"),
    pytest.param(id_number(birth="20080301"), [], id="18-today"),
]


@pytest.mark.parametrize("number, expected", APPLICATION_CASES)
def test_application_id_number(number, expected):
    found = check_application_id_number(context(with_app(clean(), id_number=number)))
    assert codes(found) == expected
    assert all(not d.merchant_fixable for d in found)


def test_invalid_number_is_masked_in_messages():
    bad = wrong_last_char(APPLICANT_ID)
    (found,) = check_application_id_number(context(with_app(clean(), id_number=bad)))
    assert bad not in found.message_zh + found.message_en + found.staff_note
    assert bad[:4] in found.message_zh and bad[-4:] in found.message_zh


def test_legacy_number_matches_its_18_digit_card():
    assert as_18_digits(LEGACY) == id_number(birth="19750603")
    facts = with_app(clean(), id_number=LEGACY)
    assert check_id_card_front(context(facts)) == []


FRONT_CASES = [
    pytest.param({"name": "王昌亮"}, ["name_mismatch"], id="name"),
    pytest.param({"name": "王 昌 良"}, [], id="name-spaces"),
    pytest.param({"id_number": id_number(sequence="246")}, ["id_number_mismatch"], id="number"),
    pytest.param({"id_number": APPLICANT_ID.lower()}, [], id="number-case"),
    # the card's own number fails GB 11643: the card is not genuine, whatever the application says
    pytest.param({"id_number": wrong_last_char(APPLICANT_ID)}, ["id_number_invalid"], id="card-number-invalid"),
    pytest.param({"id_number": id_number(birth="19750231")}, ["id_number_invalid"], id="card-birth-date-unreal"),
    pytest.param({"sex": "男"}, ["sex_mismatch"], id="sex"),
    pytest.param({"sex": "未知"}, [], id="sex-unrecognised"),
    pytest.param({"birth_date": "1975-06-04"}, ["birth_date_mismatch"], id="birth-date"),
    pytest.param({"birth_date": "1975年6月3日"}, [], id="birth-date-printed"),
    pytest.param({"name": None, "id_number": None}, [], id="unread-fields-are-not-mismatches"),
]


@pytest.mark.parametrize("changes, expected", FRONT_CASES)
def test_id_card_front(changes, expected):
    found = check_id_card_front(context(with_fields(clean(), FRONT, **changes)))
    assert codes(found) == expected


def test_clearly_read_invalid_card_number_asks_for_the_genuine_card():
    bad = wrong_last_char(APPLICANT_ID)
    decision = decide(with_fields(clean(), FRONT, confidence=0.8, id_number=bad))
    (found,) = decision.deficiencies
    assert decision.outcome == "needs_documents"  # not rejected: the application's own number is valid
    assert (found.code, found.document_type, found.variant, found.merchant_fixable) == (
        "id_number_invalid", FRONT, "on_card", True)
    assert found.evidence["reason"] == f"check character is 0, GB 11643 gives {APPLICANT_ID[-1]}"
    assert bad not in found.message_zh + found.message_en + found.staff_note + str(found.evidence)
    assert bad[:4] in found.message_zh and bad[-4:] in found.message_zh and "真实有效" in found.message_zh
    assert "possible forgery" in found.staff_note


def test_doubtful_read_of_an_invalid_card_number_goes_to_staff():
    decision = decide(with_fields(clean(), FRONT, confidence=0.3, id_number=wrong_last_char(APPLICANT_ID)))
    assert decision.outcome == "manual_review"
    assert [(d.code, d.document_type) for d in decision.deficiencies] == [("ocr_low_confidence", FRONT)]


def test_name_mismatch_evidence():
    (found,) = check_id_card_front(context(with_fields(clean(), FRONT, name="李海明")))
    assert found.evidence == {"document": "李海明", "application": "王昌良"}
    assert found.document_type == FRONT and found.field == "name"
    assert "李海明" in found.message_zh and "王昌良" in found.message_zh
    assert found.merchant_fixable and found.variant is None


NEAR_NAME_CASES = [
    pytest.param("王昌亮", id="one-character-misread"),
    pytest.param("王昌", id="one-character-dropped"),
    pytest.param("王昌良良", id="one-character-added"),
]


@pytest.mark.parametrize("read", NEAR_NAME_CASES)
def test_a_name_one_character_off_goes_to_staff_not_the_merchant(read):
    decision = decide(with_fields(clean(), FRONT, name=read))
    (found,) = decision.deficiencies
    assert (found.code, found.variant, found.merchant_fixable) == ("name_mismatch", "near", False)
    assert decision.outcome == "manual_review"
    assert read in found.staff_note and "1 character(s) differ" in found.staff_note
    assert read not in found.message_zh  # the merchant is told staff are checking, nothing to upload


def test_low_confidence_reading_is_not_called_a_mismatch():
    facts = with_fields(clean(), FRONT, confidence=0.3, name="王昌亮")
    assert check_id_card_front(context(facts)) == []


def test_sex_and_birth_are_checked_against_the_cards_own_number():
    # The card is someone else's (a man born 1980), consistently: only the number mismatch is raised.
    other = id_number(birth="19800101", sequence="131")
    facts = with_fields(clean(), FRONT, id_number=other, sex="男", birth_date="1980-01-01")
    assert codes(check_id_card_front(context(facts))) == ["id_number_mismatch"]


def test_applicant_under_age_evidence():
    facts = with_app(clean(), id_number=id_number(birth="20100101"))
    (found,) = check_application_id_number(context(facts, today=date(2026, 3, 1)))
    assert found.evidence["age"] == 16 and found.evidence["min_age"] == 18
    assert TODAY.isoformat() in found.staff_note
