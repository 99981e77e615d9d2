"""Policy after approval, from `aftercare.yaml`: follow-up calls, change requests, complaint service levels.

Pure: the file's shape, validated on load, and the service-hours arithmetic the clocks use. Errors read
like the other rule files': `rules/files/aftercare.yaml:31: complaints.clocks.acknowledge: ...`.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

from documents.types import DocumentType
from rules.model import MerchantType
from rules.ruleset import _parse, _read, default_rules_dir
from rules.schema import Localized

AFTERCARE_FILE = "aftercare.yaml"
HASH_LENGTH = 8
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A clock that cannot find its end within this many days is a broken calendar (every day a holiday).
MAX_CALENDAR_DAYS = 3660

ClockHours = Literal["calendar", "business"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServiceHours(_Model):
    timezone: str = "Asia/Shanghai"
    days: tuple[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ...] = Field(min_length=1)
    start: time
    end: time
    holidays: frozenset[date] = frozenset()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _a_real_day(self) -> "ServiceHours":
        if self.end <= self.start:
            raise ValueError("end must be later than start")
        return self

    def _open_on(self, day: date) -> bool:
        return WEEKDAYS[day.weekday()] in self.days and day not in self.holidays

    def add(self, start: datetime, minutes: int) -> datetime:
        """The moment `minutes` of service time after `start` (aware), counting only open hours."""
        zone = ZoneInfo(self.timezone)
        moment = start.astimezone(zone)
        left = timedelta(minutes=minutes)
        for _ in range(MAX_CALENDAR_DAYS):
            day = moment.date()
            opens = datetime.combine(day, self.start, zone)
            closes = datetime.combine(day, self.end, zone)
            if self._open_on(day) and moment < closes:
                moment = max(moment, opens)
                if moment + left <= closes:
                    return (moment + left).astimezone(start.tzinfo)
                left -= closes - moment
            moment = datetime.combine(day + timedelta(days=1), time(0), zone)
        raise ValueError(f"no service hours within {MAX_CALENDAR_DAYS} days of {start.isoformat()}")


def add_clock_time(start: datetime, minutes: int, hours: ClockHours, service_hours: ServiceHours) -> datetime:
    return start + timedelta(minutes=minutes) if hours == "calendar" else service_hours.add(start, minutes)


class ConfirmItem(StrEnum):
    LEGAL_NAME = "legal_name"
    BUSINESS_ADDRESS = "business_address"
    SETTLEMENT_LAST4 = "settlement_last4"
    DEVICE_MODEL = "device_model"
    DEPOSIT_TERMS = "deposit_terms"


class CallPolicy(_Model):
    merchant_types: frozenset[MerchantType]
    shipping_waits_for: frozenset[MerchantType] = frozenset()
    due_hours: StrictInt = Field(ge=1, le=24 * 30)
    hours: ClockHours = "business"
    confirm: tuple[ConfirmItem, ...] = Field(min_length=1)
    retry_after_hours: tuple[StrictInt, ...] = ()

    @field_validator("retry_after_hours")
    @classmethod
    def _positive(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(hours < 1 for hours in value):
            raise ValueError("every retry is at least 1 hour after the last try")
        return value

    @model_validator(mode="after")
    def _only_called_types_wait(self) -> "CallPolicy":
        never_called = self.shipping_waits_for - self.merchant_types
        if never_called:
            raise ValueError(f"shipping_waits_for names types that are never called: "
                             f"{', '.join(sorted(never_called))}")
        return self

    def calls(self, merchant_type: MerchantType | str) -> bool:
        return MerchantType(merchant_type) in self.merchant_types

    def shipping_waits(self, merchant_type: MerchantType | str) -> bool:
        return MerchantType(merchant_type) in self.shipping_waits_for


class ChangeField(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    BUSINESS_ADDRESS = "business_address"
    SETTLEMENT_ACCOUNT = "settlement_account"


class FieldChangePolicy(_Model):
    documents: dict[MerchantType, tuple[DocumentType, ...]] = Field(default_factory=dict)
    one_time_code: bool = False
    staff_approval: bool = False


class ChangePolicy(_Model):
    phone: FieldChangePolicy
    email: FieldChangePolicy
    business_address: FieldChangePolicy
    settlement_account: FieldChangePolicy
    code_minutes: StrictInt = Field(ge=1, le=24 * 60)
    code_attempts: StrictInt = Field(ge=1, le=20)
    code_sends: StrictInt = Field(ge=1, le=20)
    expire_days: StrictInt = Field(ge=1, le=365)
    refusing_codes: frozenset[str] = frozenset()

    def for_field(self, field: ChangeField | str) -> FieldChangePolicy:
        return getattr(self, ChangeField(field).value)

    def documents_for(self, field: ChangeField | str, merchant_type: MerchantType | str) -> tuple[DocumentType, ...]:
        return self.for_field(field).documents.get(MerchantType(merchant_type), ())


class ComplaintStage(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    FIRST_ANSWER = "first_answer"
    RESOLVE = "resolve"


class ComplaintCategory(_Model):
    complex: bool
    label: Localized


class ComplaintClocks(_Model):
    acknowledge: StrictInt = Field(ge=1)
    first_answer: StrictInt = Field(ge=1)
    resolve: StrictInt = Field(ge=1)
    resolve_complex: StrictInt = Field(ge=1)

    @model_validator(mode="after")
    def _in_order(self) -> "ComplaintClocks":
        if not self.acknowledge <= self.first_answer <= min(self.resolve, self.resolve_complex):
            raise ValueError("stages must come in order: acknowledge ≤ first_answer ≤ resolve")
        return self


class ComplaintPolicy(_Model):
    categories: dict[str, ComplaintCategory] = Field(min_length=1)
    clocks: ComplaintClocks
    hours: ClockHours = "calendar"
    remind_before_minutes: dict[ComplaintStage, StrictInt] = Field(default_factory=dict)
    reopen_days: StrictInt = Field(ge=0, le=365)

    @field_validator("categories")
    @classmethod
    def _plain_names(cls, value: dict[str, ComplaintCategory]) -> dict[str, ComplaintCategory]:
        for name in value:
            if not name.isascii() or not name.replace("_", "").isalnum() or name != name.lower():
                raise ValueError(f"category {name!r}: lower-case letters, digits and _ only")
        return value

    def minutes_for(self, stage: ComplaintStage, category: str) -> int:
        if stage == ComplaintStage.RESOLVE:
            return self.clocks.resolve_complex if self.categories[category].complex else self.clocks.resolve
        return getattr(self.clocks, stage.value)


class AftercarePolicy(_Model):
    version: str = Field(min_length=1, pattern=r"^[0-9A-Za-z.\-]+$")
    service_hours: ServiceHours
    follow_up_calls: CallPolicy
    changes: ChangePolicy
    complaints: ComplaintPolicy


class Aftercare:
    """The loaded policy and the label decisions record with it."""

    def __init__(self, policy: AftercarePolicy, version_label: str) -> None:
        self.policy = policy
        self.version_label = version_label

    @property
    def calls(self) -> CallPolicy:
        return self.policy.follow_up_calls

    @property
    def changes(self) -> ChangePolicy:
        return self.policy.changes

    @property
    def complaints(self) -> ComplaintPolicy:
        return self.policy.complaints

    def clock_end(self, start: datetime, minutes: int, hours: ClockHours) -> datetime:
        return add_clock_time(start, minutes, hours, self.policy.service_hours)


def load_aftercare_policy(directory: Path | None = None) -> Aftercare:
    """Reads `aftercare.yaml` from `directory` (default: the packaged rule files); cached by content."""
    directory = Path(directory).resolve() if directory else default_rules_dir()
    path = directory / AFTERCARE_FILE
    return _build(path, _read(path))


@lru_cache(maxsize=8)
def _build(path: Path, data: bytes) -> Aftercare:
    parsed = _parse(path, data, AftercarePolicy)
    return Aftercare(parsed, f"{parsed.version}+{hashlib.sha256(data).hexdigest()[:HASH_LENGTH]}")


__all__ = [
    "AFTERCARE_FILE", "Aftercare", "AftercarePolicy", "CallPolicy", "ChangeField", "ChangePolicy",
    "ComplaintCategory", "ComplaintPolicy", "ComplaintStage", "ConfirmItem", "FieldChangePolicy", "ServiceHours",
    "add_clock_time", "load_aftercare_policy",
]
