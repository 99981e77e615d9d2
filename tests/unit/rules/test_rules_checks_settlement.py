import pytest

from documents.types import DocumentType as D
from rules.checks.settlement import check_card_number, check_card_photo, check_same_name
from rules.model import MerchantType as M
from rules.schema import Effect
from rules_facts import (
    BUSINESS_NAME, CARD, COMPANY_NAME, LEGAL_NAME, card_number, clean, codes, context, decide, failing_luhn,
    ruleset, with_app, with_fields,
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
    pytest.param(CARD[:-3], ["card_number_partly_read"], id="last-digits-smudged"),
    pytest.param(CARD[:6] + CARD[8:], ["card_number_partly_read"], id="digits-under-glare"),
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


PARTIAL_CASES = [
    # (digits read, agreeing in order) -> (variant, effect): enough digits confirm the card: a staff note.
    pytest.param(CARD[:-3], None, Effect.WARN, id="16-of-19-confirm"),
    pytest.param(CARD[:4] + CARD[5:], None, Effect.WARN, id="one-digit-under-glare"),
    pytest.param(CARD[-12:], None, Effect.WARN, id="exactly-the-minimum"),
    pytest.param(CARD[-11:], "unconfirmed", Effect.BLOCK, id="too-few-to-confirm"),
]


@pytest.mark.parametrize("read, variant, effect", PARTIAL_CASES)
def test_a_partial_reading_that_agrees_is_no_mismatch_and_never_the_merchants(read, variant, effect):
    # The extractor keeps a number with digits missing at low confidence (it fails Luhn): it still agrees.
    for confidence in (0.95, 0.3):
        facts = with_fields(clean(), D.BANK_CARD, confidence=confidence, card_number=read)
        (found,) = check_card_photo(context(facts))
        assert (found.code, found.variant) == ("card_number_partly_read", variant)
        assert not found.merchant_fixable and ruleset().catalogue.effect(found.code, found.variant) == effect
        assert read not in found.message_en + found.staff_note + str(found.evidence)
        decision = decide(facts)
        assert not any(d.merchant_fixable for d in decision.deficiencies)
        staff_only = {d.code for d in decision.deficiencies}
        assert ("card_number_partly_read" in staff_only) if variant else not staff_only
        assert decision.outcome == ("manual_review" if variant else "approved")


def test_a_partial_reading_with_one_disagreeing_digit_is_another_card():
    other = CARD[:4] + str((int(CARD[4]) + 1) % 10) + CARD[5:-2]
    (found,) = check_card_photo(context(with_fields(clean(), D.BANK_CARD, card_number=other)))
    assert found.code == "card_number_mismatch" and found.merchant_fixable


def test_a_whole_reading_a_digit_off_is_this_card_misread_for_staff():
    """One changed digit always breaks Luhn: no card carries the number read, so it is the settlement card
    misread (card-yzx835-12: the 19th digit, 9, read as 4), not another card to ask the merchant about."""
    misread = failing_luhn(CARD)
    facts = with_fields(clean(), D.BANK_CARD, card_number=misread)
    (found,) = check_card_photo(context(facts))
    assert (found.code, found.variant, found.merchant_fixable) == ("card_number_mismatch", "near", False)
    assert misread not in found.message_zh + found.message_en + found.staff_note + str(found.evidence)
    decision = decide(facts)
    assert decision.outcome == "manual_review" and not any(d.merchant_fixable for d in decision.deficiencies)


def test_a_whole_reading_of_another_valid_number_asks_the_merchant():
    other = card_number(CARD[:-3] + str((int(CARD[-3]) + 1) % 10) + CARD[-2])  # two digits off, passes Luhn
    (found,) = check_card_photo(context(with_fields(clean(), D.BANK_CARD, card_number=other)))
    assert (found.code, found.variant, found.merchant_fixable) == ("card_number_mismatch", None, True)
    assert decide(with_fields(clean(), D.BANK_CARD, card_number=other)).outcome == "needs_documents"
