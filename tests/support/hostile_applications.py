"""Application files (the JSON a merchant or staff submits) that must be refused with one clear line.

`known_bug` is set where the product gets a case wrong; the tests run those cases as strict xfails.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from tests.support.applications import (
    ARABIC_INDIC_DIGITS,
    as_json_bytes,
    resident_id,
    valid_application,
    with_account,
    without,
)

SQL_INJECTION = "Robert'); DROP TABLE applications;--"

@dataclass(frozen=True)
class HostileApplication:
    name: str
    build: Callable[[], bytes]
    mentions: tuple[str, ...] = ()
    known_bug: str | None = None

    def data(self) -> bytes:
        return self.build()


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _nested_object_in_field(depth: int) -> bytes:
    inner = '{"a": ' * depth + "1" + "}" * depth
    return json.dumps(valid_application(settlement_account="PLACEHOLDER")).replace('"PLACEHOLDER"', inner).encode()


def _replace_value(field: str, raw_json_value: str) -> bytes:
    return json.dumps(valid_application(**{field: "PLACEHOLDER"})).replace('"PLACEHOLDER"', raw_json_value).encode()


def _duplicate_key(field: str, raw_json_value: str) -> bytes:
    """The field twice: the second value would silently win."""
    text = json.dumps(valid_application(), ensure_ascii=False)
    return (text[:-1] + f', "{field}": {raw_json_value}}}').encode()


def _duplicate_key_in_account(field: str, raw_json_value: str) -> bytes:
    text = json.dumps(valid_application(settlement_account="PLACEHOLDER"), ensure_ascii=False)
    account = json.dumps(valid_application()["settlement_account"], ensure_ascii=False)
    return text.replace('"PLACEHOLDER"', account[:-1] + f', "{field}": {raw_json_value}}}').encode()


def _impossible_birth_date_id() -> str:
    return resident_id("44078119750230248")  # 1975-02-30, check character correct


def hostile_applications() -> list[HostileApplication]:
    A = HostileApplication
    return [
        # -- not JSON, or not UTF-8 JSON
        A("empty_file", lambda: b"", ("json",)),
        A("truncated_json", lambda: as_json_bytes(valid_application())[:60], ("json",)),
        A("gbk_encoded", lambda: as_json_bytes(valid_application(), "gbk"), ("utf-8",)),
        A("utf16_encoded", lambda: as_json_bytes(valid_application(), "utf-16"), ("utf-8",)),
        A("png_bytes_as_application", lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(256)), ("utf-8",)),
        A("over_1mb", lambda: as_json_bytes(valid_application(padding="x" * (1024 * 1024 + 10))), ("larger",)),
        A("python_literal_not_json", lambda: str(valid_application()).encode(), ("json",)),
        A("deeply_nested_arrays", lambda: _nested(100_000), ("json",)),
        A("integer_with_5000_digits", lambda: _replace_value("device_model", "1" * 5000), ()),
        # -- JSON, but not an object
        A("top_level_list", lambda: as_json_bytes([valid_application()]), ("application",)),
        A("top_level_number", lambda: b"42", ("application",)),
        A("top_level_null", lambda: b"null", ("application",)),
        A("top_level_string", lambda: b'"small_micro"', ("application",)),
        A("top_level_true", lambda: b"true", ("application",)),
        # -- objects with the wrong fields
        A("empty_object", lambda: b"{}", ("merchant_type",)),
        A("unknown_key", lambda: as_json_bytes(valid_application(nickname="小王")), ("nickname",)),
        A("missing_legal_name", lambda: as_json_bytes(without("legal_name")), ("legal_name",)),
        A("unknown_merchant_type", lambda: as_json_bytes(valid_application(merchant_type="franchise")),
          ("merchant_type",)),
        A("merchant_type_sql_injection", lambda: as_json_bytes(valid_application(merchant_type=SQL_INJECTION)),
          ("merchant_type",)),
        A("merchant_type_number", lambda: as_json_bytes(valid_application(merchant_type=1)), ("merchant_type",)),
        A("phone_sql_injection", lambda: as_json_bytes(valid_application(phone="13800138000' OR '1'='1")),
          ("phone",)),
        A("phone_boolean", lambda: as_json_bytes(valid_application(phone=True)), ("phone",)),
        A("id_number_sql_injection", lambda: as_json_bytes(valid_application(id_number=f"1; {SQL_INJECTION}")),
          ("id_number",)),
        A("id_number_bad_check_char", lambda: as_json_bytes(valid_application(id_number=resident_id()[:-1] + "0")),
          ("id_number",)),
        A("id_number_impossible_birth_date", lambda: as_json_bytes(valid_application(
            id_number=_impossible_birth_date_id())), ("id_number",)),
        A("id_number_arabic_indic_digits", lambda: as_json_bytes(valid_application(
            id_number=resident_id().translate(ARABIC_INDIC_DIGITS))), ("id_number",)),
        A("email_malformed", lambda: as_json_bytes(valid_application(email="not-an-email")), ("email",)),
        A("legal_name_100k_chars", lambda: as_json_bytes(valid_application(legal_name="王" * 100_000)),
          ("legal_name",)),
        A("legal_name_lone_surrogate", lambda: _replace_value("legal_name", '"\\ud800\\u738b"'), ("legal_name",)),
        A("device_model_nan", lambda: _replace_value("device_model", "NaN"), ("device_model",)),
        A("settlement_account_string",
          lambda: as_json_bytes(valid_application(settlement_account="6222021234567890123")),
          ("settlement_account",)),
        A("settlement_account_nested_300_deep", lambda: _nested_object_in_field(300), ("settlement_account",)),
        A("settlement_number_letters", lambda: as_json_bytes(with_account(number="6222-abcd-1234")),
          ("settlement_account.number",)),
        # -- accepted today, but should not be
        A("phone_arabic_indic_digits", lambda: as_json_bytes(valid_application(
            phone="13" + "800138000".translate(ARABIC_INDIC_DIGITS))), ("phone",)),
        A("settlement_number_arabic_indic_digits", lambda: as_json_bytes(with_account(
            number="6222021234567890123".translate(ARABIC_INDIC_DIGITS))), ("settlement_account.number",)),
        # -- issue 18: device models checked against the deposit policies; keys given twice
        A("device_model_path_traversal", lambda: as_json_bytes(valid_application(
            device_model="../../../../etc/passwd")), ("device_model", "allowed", "P2")),
        A("device_model_unknown", lambda: as_json_bytes(valid_application(device_model="X9")), ("device_model", "P8")),
        A("device_model_zero_width", lambda: as_json_bytes(valid_application(device_model="P\u200b2")),
          ("device_model",)),
        A("duplicate_key_phone", lambda: _duplicate_key("phone", '"13900139000"'), ("duplicate", "phone")),
        A("duplicate_key_in_settlement_account", lambda: _duplicate_key_in_account("number", '"6222021234567890124"'),
          ("duplicate", "number")),
        A("business_name_with_nul", lambda: as_json_bytes(valid_application(business_name="昌良\u0000小吃店")),
          ("business_name",)),
    ]
