"""The shared MetaData and the column types every table module uses."""
from __future__ import annotations

import functools
import json
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, MetaData, String, Text, TypeDecorator

from onboarding.adapters.encryption import open_sealed, seal

metadata = MetaData()


class UtcDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC: SQLite keeps no offset and we never want local times in storage."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        return None if value is None else _naive_utc(value)

    def bind_processor(self, dialect):
        # A sweep binds hundreds of thousands of timestamps (outbox rows, links, audit events), nearly all
        # the sweep's own `as_of` or a fixed time from it. On SQLite, SQLAlchemy's DATETIME formats each
        # through a %-dict after our conversion (about 4 us); `isoformat` writes the same text (its default
        # storage format), remembered for the instants seen last (a hit: 0.15 us). Equal aware datetimes are
        # the same instant, so they share a text; a naive one is never equal to them and still raises.
        # Any other storage format or dialect: the usual path.
        if dialect.name == "sqlite" and getattr(self.impl_instance.dialect_impl(dialect), "_storage_format",
                                                None) == _SQLITE_DEFAULT_FORMAT:
            return _sqlite_text
        return super().bind_processor(dialect)

    def process_result_value(self, value: datetime | None, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


_SQLITE_DEFAULT_FORMAT = ("%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d."
                          "%(microsecond)06d")


def _naive_utc(value: datetime) -> datetime:
    if value.tzinfo is timezone.utc:
        return value.replace(tzinfo=None)
    if value.tzinfo is None:
        raise ValueError("naive datetimes are not stored; use timezone-aware UTC")
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def _sqlite_text(value: datetime | None) -> str | None:
    return None if value is None else _sqlite_text_of(value)


@functools.lru_cache(maxsize=1024)
def _sqlite_text_of(value: datetime) -> str:
    return _naive_utc(value).isoformat(" ", "microseconds")


class StrEnumColumn(TypeDecorator):
    impl = String(32)
    cache_ok = True

    def __init__(self, enum_cls: type[StrEnum]) -> None:
        super().__init__()
        self.enum_cls = enum_cls

    def process_bind_param(self, value, dialect):
        return None if value is None else str(self.enum_cls(value))

    def process_result_value(self, value, dialect):
        return None if value is None else self.enum_cls(value)


class EncryptedText(TypeDecorator):
    """PII at rest: a Fernet token in the database, plaintext in Python.

    Tokens are randomised, so the database cannot compare, sort or search these columns: look rows
    up by something else (an id, a hash). The key comes from the engine (see `adapters.encryption`).
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        return None if value is None else seal(dialect, value)

    def process_result_value(self, value: str | None, dialect) -> str | None:
        return None if value is None else open_sealed(dialect, value)


class EncryptedJSON(TypeDecorator):
    """A JSON document sealed as one token (OCR text and extracted fields carry ID and card numbers)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect) -> str | None:
        if value is None:
            return None
        return seal(dialect, json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def process_result_value(self, value: str | None, dialect) -> Any:
        return None if value is None else json.loads(open_sealed(dialect, value))
