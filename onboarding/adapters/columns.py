"""The shared MetaData and the column types every table module uses."""
from __future__ import annotations

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
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use timezone-aware UTC")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


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
