"""Hypothesis strategies for application payloads: any JSON-like value, and near-misses of a valid one."""
from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.support.applications import ARABIC_INDIC_DIGITS, FULLWIDTH_DIGITS, valid_application

APPLICATION_FIELDS = ("merchant_type", "legal_name", "id_number", "phone", "email", "business_name",
                      "business_address", "settlement_account", "device_model")
ACCOUNT_FIELDS = ("holder_name", "number", "bank_name")

# Everything json.loads can produce, lone surrogates (from "\ud800" escapes) and control characters included.
any_character = st.characters(exclude_categories=())
any_text = st.text(any_character, max_size=40)

json_scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
                | any_text)
json_values = st.recursive(json_scalars, lambda children: st.lists(children, max_size=4)
                           | st.dictionaries(any_text, children, max_size=4), max_leaves=12)


# Decimal digits of other scripts: `str.isdigit()` and regex `\\d` accept them all.
DIGIT_SCRIPTS = (FULLWIDTH_DIGITS, ARABIC_INDIC_DIGITS, str.maketrans("0123456789", "०१२३४५६७८९"),
                 str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯"))


@st.composite
def edited_text(draw: st.DrawFn, text: str) -> str:
    """`text` with one realistic edit: padding, digits in another script (from some position on), a stray
    character, a cut."""
    edit = draw(st.sampled_from(["pad", "digit_script", "digit_script", "insert", "truncate", "upper", "keep"]))
    if edit == "pad":
        return draw(st.sampled_from([" ", "\u3000", "\t", "\n"])) + text + draw(st.sampled_from(["", " ", "\u3000"]))
    if edit == "digit_script":
        start = draw(st.integers(0, len(text)))
        return text[:start] + text[start:].translate(draw(st.sampled_from(DIGIT_SCRIPTS)))
    if edit == "insert":
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(any_character) + text[at:]
    if edit == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    if edit == "upper":
        return text.upper()
    return text


@st.composite
def near_valid_applications(draw: st.DrawFn) -> dict[str, Any]:
    """A valid application with a few fields edited, replaced, removed, or an unknown key added."""
    payload = valid_application()
    for name in draw(st.lists(st.sampled_from(APPLICATION_FIELDS), max_size=3, unique=True)):
        action = draw(st.sampled_from(["edit", "replace", "remove"]))
        if action == "remove":
            del payload[name]
        elif action == "replace":
            payload[name] = draw(json_values)
        elif isinstance(payload[name], str):
            payload[name] = draw(edited_text(payload[name]))
        else:
            account = payload[name]
            field = draw(st.sampled_from(ACCOUNT_FIELDS))
            account[field] = draw(edited_text(account[field]) | json_values)
    if draw(st.integers(0, 9)) == 0:  # now and then, a key the schema does not know
        payload[draw(any_text.filter(lambda k: k not in APPLICATION_FIELDS))] = draw(json_values)
    return payload


any_application_value = json_values | near_valid_applications()
