"""The application file a merchant or staff submits (INTERFACE.md), validated field by field."""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError, ValidationInfo, field_validator

from documents.extract.normalize import to_halfwidth
from documents.checksums import ric_is_valid
from rules.model import MerchantType

# ASCII only: `\d` would take Arabic-Indic and other digits, which SMS gateways and banks do not.
PHONE = re.compile(r"^1[3-9][0-9]{9}$")
ACCOUNT_NUMBER = re.compile(r"^[0-9]{8,30}$")


def _no_control_characters(value: object) -> object:
    """NUL and other control characters are never part of a name or an address; PostgreSQL refuses NUL."""
    if isinstance(value, str) and any(unicodedata.category(c) == "Cc" for c in value):
        raise ValueError("contains control characters")
    return value


class SettlementAccount(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    holder_name: str = Field(min_length=1, max_length=200)
    number: str
    bank_name: str = Field(min_length=1, max_length=100)

    _plain_text = field_validator("*", mode="before")(lambda cls, v: _no_control_characters(v))

    @field_validator("number")
    @classmethod
    def _digits(cls, value: str) -> str:
        value = to_halfwidth(value).replace(" ", "").replace("-", "")
        if not ACCOUNT_NUMBER.match(value):
            raise ValueError("must be 8 to 30 digits")
        return value


class ApplicationInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    merchant_type: MerchantType
    legal_name: str = Field(min_length=2, max_length=64)
    id_number: str
    phone: str
    email: EmailStr | None = None
    business_name: str = Field(min_length=2, max_length=200)
    business_address: str = Field(min_length=5, max_length=400)
    settlement_account: SettlementAccount
    device_model: str = Field(min_length=1, max_length=40)

    _plain_text = field_validator("*", mode="before")(lambda cls, v: _no_control_characters(v))

    @field_validator("device_model")
    @classmethod
    def _device_model(cls, value: str, info: ValidationInfo) -> str:
        """One of the models the deposit policies know, in their spelling (`p2` → `P2`): a model without a policy
        would fail only at shipping, and the value names files and rows later on."""
        known = (info.context or {}).get("device_models")
        return value if known is None else known_device_model(value, known)

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, value: str) -> str:
        value = to_halfwidth(value).replace(" ", "").upper()
        if not ric_is_valid(value):
            raise ValueError("not a valid resident ID number (GB 11643: 18 characters with check character, or 15 digits)")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        value = to_halfwidth(value).replace(" ", "").removeprefix("+86")
        if not PHONE.match(value):
            raise ValueError("must be an 11-digit mainland mobile number starting with 1")
        return value


def known_device_model(value: str, models: Iterable[str]) -> str:
    """`value` as the deposit policies spell it (`p2`, `Ｐ２` → `P2`); ValueError naming the allowed models."""
    by_folded = {model.casefold(): model for model in models}
    normalised = unicodedata.normalize("NFKC", value).strip().casefold()
    if normalised not in by_folded:
        raise ValueError(f"not a device model we ship (allowed: {', '.join(sorted(by_folded.values()))})")
    return by_folded[normalised]


class InvalidApplication(ValueError):
    """Names the first offending field, in the file's own dotted path."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"duplicate key {key!r}: each field may appear only once")
        self.key = key


def _refuse_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKey(key)
        result[key] = value
    return result


def loads_json_object_strictly(text: str) -> object:
    """JSON where a key given twice is an error: otherwise the last one silently wins, and what staff reviewed
    may not be what was stored."""
    return json.loads(text, object_pairs_hook=_refuse_duplicate_keys)


def parse_application(raw: object, device_models: Iterable[str] | None = None) -> ApplicationInput:
    """`device_models`: the models the deposit policies know; the model is checked against them and spelled as
    they spell it. Every caller that stores an application passes them."""
    context = None if device_models is None else {"device_models": list(device_models)}
    try:
        return ApplicationInput.model_validate(raw, context=context)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or "application"
        raise InvalidApplication(field, error["msg"]) from None
