"""The shared MetaData and the column types every table module uses."""
from __future__ import annotations

from datetime import datetime, timezone
from enum import StrEnum

from sqlalchemy import DateTime, MetaData, String, TypeDecorator

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
