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


MODELS = ["P2", "P8", "Q1"]  # the packaged deposit policies' models


@pytest.mark.parametrize("typed", ["p2", " P2 ", "Ｐ２"])
def test_a_device_model_is_spelled_as_the_deposit_policies_spell_it(typed):
    assert parse_application(with_("device_model", typed), MODELS).device_model == "P2"


@pytest.mark.parametrize("typed", ["../../../../etc/passwd", "X9", "P\u200b2", "P2/../P8"])
def test_a_device_model_without_a_deposit_policy_is_refused_naming_the_allowed_ones(typed):
    with pytest.raises(InvalidApplication) as error:
        parse_application(with_("device_model", typed), MODELS)
    assert error.value.field == "device_model" and "P2, P8, Q1" in str(error.value)


@pytest.mark.parametrize("text,key", [
    ('{"phone": "13800138000", "legal_name": "王昌良", "phone": "13900139000"}', "phone"),
    ('{"settlement_account": {"number": "1", "number": "2"}}', "number"),
])
def test_a_key_given_twice_is_refused_naming_the_key(text, key):
    from onboarding.service.application_input import DuplicateKey, loads_json_object_strictly

    with pytest.raises(DuplicateKey) as error:
        loads_json_object_strictly(text)
    assert repr(key) in str(error.value)
