import pytest

from onboarding.service.application_input import InvalidApplication, parse_application

VALID = {
    "merchant_type": "small_micro", "legal_name": "王昌良", "id_number": "440781197506032481",
    "phone": "13800138000", "email": "merchant@example.com", "business_name": "台山市北陡镇昌良小吃店",
    "business_address": "广东省江门市台山市北陡镇沙咀村12号",
    "settlement_account": {"holder_name": "王昌良", "number": "6222021234567890123", "bank_name": "中国工商银行"},
    "device_model": "P2",
}


def with_(path: str, value):
    data = {**VALID, "settlement_account": dict(VALID["settlement_account"])}
    target, *rest = path.split(".")
    if rest:
        data[target][rest[0]] = value
    elif value is ...:
        del data[target]
    else:
        data[target] = value
    return data


def test_the_interface_example_is_accepted():
    parsed = parse_application(VALID)
    assert parsed.merchant_type == "small_micro" and parsed.settlement_account.number == "6222021234567890123"


def test_full_width_digits_and_spaces_are_normalised():
    parsed = parse_application(with_("phone", "１３８ ００１３ ８０００"))
    assert parsed.phone == "13800138000"


@pytest.mark.parametrize("path,value,field", [
    ("merchant_type", "franchise", "merchant_type"),
    ("legal_name", ..., "legal_name"),
    ("id_number", "440781197506032482", "id_number"),  # wrong check character
    ("id_number", "440781197502302481", "id_number"),  # 30 February
    ("phone", "12345", "phone"),
    ("email", "not-an-email", "email"),
    ("settlement_account.number", "62220212345abc", "settlement_account.number"),
    ("device_model", ..., "device_model"),
    ("unexpected", "x", "unexpected"),
])
def test_bad_input_names_the_field(path, value, field):
    with pytest.raises(InvalidApplication) as error:
        parse_application(with_(path, value))
    assert error.value.field == field
    assert str(error.value).startswith(f"{field}: ")


def test_a_non_object_is_refused():
    with pytest.raises(InvalidApplication):
        parse_application(["not", "an", "object"])
