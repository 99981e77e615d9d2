import pytest

from documents.types import DocumentType as D
from rules.checks.settlement import check_card_number, check_card_photo, check_same_name
from rules.model import MerchantType as M
from rules_facts import (
    BUSINESS_NAME, CARD, COMPANY_NAME, LEGAL_NAME, card_number, clean, codes, context, failing_luhn, with_app,
    with_fields,
)

VISA = card_number("453201511283036")  # 16 digits, not UnionPay

CARD_CASES = [
    pytest.param(M.SMALL_MICRO, CARD, [], id="valid-unionpay"),
    pytest.param(M.SMALL_MICRO, f"{CARD[:4]} {CARD[4:8]} {CARD[8:]}", [], id="spaces"),
    pytest.param(M.SMALL_MICRO, failing_luhn(CARD), ["card_number_luhn_failed"], id="unionpay-luhn-warning"),
    pytest.param(M.SMALL_MICRO, VISA, [], id="valid-other"),
    pytest.param(M.SMALL_MICRO, failing_luhn(VISA), ["card_number_invalid"], id="other-luhn-invalid"),
    pytest.param(M.SMALL_MICRO, card_number("62220212345"), ["card_number_invalid"], id="too-short"),
    pytest.param(M.SOLE_TRADER, card_number("62220212345678901234"), ["card_number_invalid"], id="too-long"),
    pytest.param(M.SMALL_MICRO, CARD[:-1] + "A", ["card_number_invalid"], id="letter"),
    pytest.param(M.ENTERPRISE, "44050112345678901234", [], id="corporate-account-not-a-card"),
]


@pytest.mark.parametrize("merchant_type, number, expected", CARD_CASES)
def test_card_number(merchant_type, number, expected):
    found = check_card_number(context(with_app(clean(merchant_type), settlement_number=number)))
    assert codes(found) == expected
    assert all(d.document_type == D.BANK_CARD for d in found)


def test_card_number_never_shown_whole():
    bad = failing_luhn(VISA)
    (found,) = check_card_number(context(with_app(clean(), settlement_number=bad)))
    assert bad not in found.message_zh + found.message_en + found.staff_note + str(found.evidence)
    assert found.evidence["last4"] == bad[-4:]


PHOTO_CASES = [
    pytest.param(CARD, [], id="same"),
    pytest.param(" ".join(CARD[i:i + 4] for i in range(0, len(CARD), 4)), [], id="grouped"),
    pytest.param(card_number("622202999999999999"), ["card_number_mismatch"], id="other-card"),
    pytest.param(CARD[:-3], ["document_unreadable"], id="last-digits-smudged"),
    pytest.param(CARD[:6] + CARD[8:], ["document_unreadable"], id="digits-under-glare"),
    pytest.param(card_number("622202999999999"), ["card_number_mismatch"], id="shorter-other-card"),
]


@pytest.mark.parametrize("read, expected", PHOTO_CASES)
def test_card_photo_matches_application(read, expected):
    found = check_card_photo(context(with_fields(clean(), D.BANK_CARD, card_number=read)))
    assert codes(found) == expected


SAME_NAME_CASES = [
    pytest.param(M.SMALL_MICRO, LEGAL_NAME, [], id="small-micro-own-name"),
    pytest.param(M.SMALL_MICRO, "王 昌良", [], id="small-micro-space"),
    pytest.param(M.SMALL_MICRO, "李四", ["settlement_account_name_mismatch"], id="small-micro-other-person"),
    pytest.param(M.SMALL_MICRO, BUSINESS_NAME, ["settlement_account_name_mismatch"], id="small-micro-shop-name"),
    pytest.param(M.SOLE_TRADER, LEGAL_NAME, [], id="sole-trader-operator"),
    pytest.param(M.SOLE_TRADER, BUSINESS_NAME, [], id="sole-trader-licence-name"),
    pytest.param(M.SOLE_TRADER, "李四", ["settlement_account_name_mismatch"], id="sole-trader-other"),
    pytest.param(M.ENTERPRISE, COMPANY_NAME, [], id="enterprise-company"),
    pytest.param(M.ENTERPRISE, LEGAL_NAME, ["settlement_account_name_mismatch"], id="enterprise-legal-person"),
]


@pytest.mark.parametrize("merchant_type, holder, expected", SAME_NAME_CASES)
def test_same_name_rule(merchant_type, holder, expected):
    found = check_same_name(context(with_app(clean(merchant_type), settlement_holder_name=holder)))
    assert codes(found) == expected


@pytest.mark.parametrize("merchant_type, document_type", [
    (M.SMALL_MICRO, D.BANK_CARD), (M.ENTERPRISE, D.ACCOUNT_PERMIT),
])
def test_same_name_rule_points_at_the_settlement_document(merchant_type, document_type):
    (found,) = check_same_name(context(with_app(clean(merchant_type), settlement_holder_name="李四")))
    assert found.document_type == document_type
    assert "李四" in found.message_zh and found.merchant_fixable


def test_a_partly_read_card_number_asks_for_a_clearer_photo_not_for_another_card():
    (found,) = check_card_photo(context(with_fields(clean(), D.BANK_CARD, card_number=CARD[:-3])))
    assert "could not read the card number" in found.message_en
    assert "not the settlement card" not in found.message_en
    assert CARD[:-3] not in found.message_en + found.staff_note + str(found.evidence)
