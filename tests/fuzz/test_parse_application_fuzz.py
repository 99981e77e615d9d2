"""`parse_application` on anything a JSON file can hold: an ApplicationInput, or InvalidApplication naming a field."""
from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings

from onboarding.service.application_input import ApplicationInput, InvalidApplication, parse_application
from tests.support.application_strategies import APPLICATION_FIELDS, any_application_value, near_valid_applications
from tests.support.applications import ARABIC_INDIC_DIGITS, valid_application, with_account

ANY_VALUE_EXAMPLES = 400
NEAR_VALID_EXAMPLES = 300
ASCII_DIGITS = re.compile(r"^[0-9]+X?$")


def _named_field(error: InvalidApplication, raw: object) -> bool:
    """The dotted path starts at a field of the application, or is an unknown key of the file itself."""
    if error.field == "application" or error.field.split(".")[0] in APPLICATION_FIELDS:
        return True
    return isinstance(raw, dict) and error.field in map(str, raw)


@settings(max_examples=ANY_VALUE_EXAMPLES, deadline=None)
@given(any_application_value)
@example({**valid_application(), ".": None})  # an unknown key that looks like a path: named as-is
def test_any_value_parses_or_is_refused_naming_a_field(raw: object) -> None:
    try:
        parsed = parse_application(raw)
    except InvalidApplication as error:
        assert _named_field(error, raw), f"{error.field!r} is not a field of the application"
        assert error.reason
    else:
        assert isinstance(parsed, ApplicationInput)


@settings(max_examples=NEAR_VALID_EXAMPLES, deadline=None)
@given(near_valid_applications())
@example(valid_application(phone="13" + "800138000".translate(ARABIC_INDIC_DIGITS)))
@example(with_account(number="6222021234567890123".translate(ARABIC_INDIC_DIGITS)))
def test_an_accepted_application_stores_numbers_as_ascii_digits(raw: dict) -> None:
    try:
        parsed = parse_application(raw)
    except InvalidApplication:
        return
    for name, value in {"id_number": parsed.id_number, "phone": parsed.phone,
                        "settlement_account.number": parsed.settlement_account.number}.items():
        assert ASCII_DIGITS.match(value), f"{name} accepted as {value!r}"


@pytest.mark.parametrize("field", APPLICATION_FIELDS)
def test_removing_a_field_names_it_unless_it_is_optional(field: str) -> None:
    payload = valid_application()
    del payload[field]
    if field == "email":  # optional
        assert parse_application(payload).email is None
        return
    with pytest.raises(InvalidApplication) as refused:
        parse_application(payload)
    assert refused.value.field == field
