"""The new details a change request carries, validated field by field as at onboarding."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError, field_validator, model_validator

from onboarding.service.application_input import (
    ApplicationInput,
    InvalidApplication,
    SettlementAccount,
    _no_control_characters,
)


class ChangeInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    phone: str | None = None
    email: EmailStr | None = None
    business_address: str | None = Field(default=None, min_length=5, max_length=400)
    settlement_account: SettlementAccount | None = None

    _plain_text = field_validator("*", mode="before")(lambda cls, v: _no_control_characters(v))

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return None if value is None else ApplicationInput._phone(value)

    @model_validator(mode="after")
    def _something(self) -> "ChangeInput":
        if not self.fields():
            raise ValueError("nothing to change: give a new phone, email, business address or settlement account")
        return self

    def fields(self) -> list[str]:
        return [name for name in ("phone", "email", "business_address", "settlement_account")
                if getattr(self, name) is not None]

    def proposed(self) -> dict:
        return {name: (value.model_dump() if isinstance(value, BaseModel) else str(value))
                for name in self.fields() if (value := getattr(self, name)) is not None}


def parse_change(raw: object) -> ChangeInput:
    try:
        return ChangeInput.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or "change"
        raise InvalidApplication(field, error["msg"].removeprefix("Value error, ")) from None
