"""Property tests: generated valid numbers validate, and single-character errors are caught."""
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from documents.checksums import (
    RIC_CHECK_CHARS, USCC_ALPHABET, luhn_check_digit, luhn_is_valid, ric_check_char, ric_is_valid,
    uscc_check_char, uscc_is_valid,
)

FAST = settings(max_examples=200, deadline=None)

birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))
regions = st.text("0123456789", min_size=6, max_size=6)
sequences = st.text("0123456789", min_size=3, max_size=3)


@st.composite
def id_numbers(draw) -> str:
    first17 = draw(regions) + draw(birth_dates).strftime("%Y%m%d") + draw(sequences)
    return first17 + ric_check_char(first17)


@st.composite
def usccs(draw) -> str:
    first17 = draw(st.text(USCC_ALPHABET, min_size=17, max_size=17))
    return first17 + uscc_check_char(first17)


@st.composite
def card_numbers(draw) -> str:
    payload = draw(st.text("0123456789", min_size=12, max_size=18))
    return payload + luhn_check_digit(payload)


def _replace(value: str, index: int, char: str) -> str:
    return value[:index] + char + value[index + 1:]


@FAST
@given(id_numbers())
def test_generated_id_numbers_validate(number):
    assert ric_is_valid(number)
    assert ric_is_valid(number.lower())


@FAST
@given(id_numbers(), st.data())
def test_any_single_character_change_in_an_id_number_is_detected(number, data):
    index = data.draw(st.integers(0, 17))
    alphabet = RIC_CHECK_CHARS if index == 17 else "0123456789"
    char = data.draw(st.sampled_from([c for c in alphabet if c != number[index]]))
    changed = _replace(number, index, char)
    # The check character alone catches it; the birth date is not needed to spot the error.
    assert ric_check_char(changed[:17]) != changed[17]
    assert not ric_is_valid(changed)


@FAST
@given(usccs())
def test_generated_usccs_validate(code):
    assert uscc_is_valid(code)


@FAST
@given(usccs(), st.data())
def test_any_single_character_change_in_a_uscc_is_detected(code, data):
    index = data.draw(st.integers(0, 17))
    char = data.draw(st.sampled_from([c for c in USCC_ALPHABET if c != code[index]]))
    assert not uscc_is_valid(_replace(code, index, char))


@FAST
@given(card_numbers())
def test_generated_card_numbers_pass_luhn(number):
    assert luhn_is_valid(number)


@FAST
@given(card_numbers(), st.data())
def test_luhn_detects_any_single_digit_error(number, data):
    index = data.draw(st.integers(0, len(number) - 1))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != number[index]]))
    assert not luhn_is_valid(_replace(number, index, digit))
