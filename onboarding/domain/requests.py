"""Supplementary-material requests (补充资料): one round per decision that asks the merchant for documents."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class RequestStatus(StrEnum):
    OPEN = "open"
    SATISFIED = "satisfied"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class ItemStatus(StrEnum):
    OPEN = "open"
    SATISFIED = "satisfied"
    SUPERSEDED = "superseded"  # still wanted, carried into the next round


def new_upload_token() -> tuple[str, str]:
    """256 random bits for the merchant's link, and the hash we keep: the link itself is never stored."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def item_key(item: dict[str, Any]) -> tuple[str, str | None]:
    return item["code"], item.get("document_type")


def item_uploads(item: dict[str, Any]) -> list[str]:
    """The documents an item asks the merchant to upload (items from before `uploads` existed: its own)."""
    uploads = item.get("uploads")
    if uploads:
        return [str(u) for u in uploads]
    return [item["document_type"]] if item.get("document_type") else []


def reminders_due(created_at: datetime, reminders_sent: list[str], now: datetime,
                  reminder_hours: list[int]) -> list[str]:
    """Labels of reminders whose time has come and that were not sent (a missed sweep sends only the last)."""
    due = [f"{h}h" for h in sorted(reminder_hours)
           if now >= created_at + timedelta(hours=h) and f"{h}h" not in reminders_sent]
    return due[-1:]


def next_reminder_at(created_at: datetime, reminders_sent: list[str], reminder_hours: list[int]) -> datetime | None:
    """The first reminder later than every one sent; None when the last was sent."""
    last_sent = max((int(x.removesuffix("h")) for x in reminders_sent), default=0)
    later = [h for h in sorted(reminder_hours) if h > last_sent]
    return created_at + timedelta(hours=later[0]) if later else None


def open_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in items if i["status"] == ItemStatus.OPEN]


@dataclass(eq=False)
class SupplementaryRequest:
    application_id: str
    round_number: int
    created_at: datetime
    due_at: datetime
    items: list[dict[str, Any]]  # code, document_type, field, message_zh, message_en, staff_note, status
    status: str = RequestStatus.OPEN
    reminders_sent: list[str] = field(default_factory=list)
    next_reminder_at: datetime | None = None
    closed_at: datetime | None = None
    id: int | None = None

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.OPEN

    def accepts_uploads(self, now: datetime) -> bool:
        return self.is_open and now < self.due_at

    def reminders_due(self, now: datetime, reminder_hours: list[int]) -> list[str]:
        return reminders_due(self.created_at, self.reminders_sent, now, reminder_hours)

    def mark_reminded(self, label: str, reminder_hours: list[int]) -> None:
        self.reminders_sent = [*self.reminders_sent, label]
        self.next_reminder_at = next_reminder_at(self.created_at, self.reminders_sent, reminder_hours)

    def schedule_reminders(self, reminder_hours: list[int]) -> None:
        first = min(reminder_hours, default=None)
        self.next_reminder_at = None if first is None else self.created_at + timedelta(hours=first)

    @property
    def open_items(self) -> list[dict[str, Any]]:
        return open_items(self.items)

    def open_document_types(self) -> set[str]:
        """Every document the open items ask for, so the form offers each one the message names."""
        return {t for i in self.open_items for t in item_uploads(i)}

    def offers_all(self, items: list[dict[str, Any]]) -> bool:
        """Whether these items ask only for documents this round already asks for (nothing new to tell)."""
        offered = self.open_document_types()
        return all(item_uploads(i) and set(item_uploads(i)) <= offered for i in items)

    def revise(self, items: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
        """The round's answer to an upload that did not settle it: its open items become `items` (same
        round, link, due date and reminders). Returns the codes now satisfied and the codes added."""
        wanted = {item_key(i): i for i in items}
        satisfied, revised = [], []
        for item in self.items:
            if item["status"] != ItemStatus.OPEN:
                revised.append(item)
            elif item_key(item) in wanted:
                revised.append({**wanted.pop(item_key(item)), "status": ItemStatus.OPEN})
            else:
                satisfied.append(item["code"])
                revised.append({**item, "status": ItemStatus.SATISFIED})
        added = [{**i, "status": ItemStatus.OPEN} for i in wanted.values()]
        self.items = revised + added
        return satisfied, [i["code"] for i in added]

    def close(self, status: RequestStatus, at: datetime,
              still_wanted: set[tuple[str, str | None]] | None = None) -> None:
        """Superseded by a next round (`still_wanted` given): items it asks again are superseded, the rest
        satisfied. Satisfied: every item is. Expired or cancelled: unanswered items stay open, for the record."""
        def settle(item: dict[str, Any]) -> dict[str, Any]:
            if item["status"] != ItemStatus.OPEN:
                return item
            if status == RequestStatus.SATISFIED:
                return {**item, "status": ItemStatus.SATISFIED}
            if still_wanted is not None:
                return {**item, "status": ItemStatus.SUPERSEDED if item_key(item) in still_wanted
                        else ItemStatus.SATISFIED}
            return item

        self.items = [settle(i) for i in self.items]
        self.status = status
        self.closed_at = at


@dataclass(eq=False)
class UploadLink:
    """A merchant's way in: only the hash of its token is kept. It shows the application's current request."""

    application_id: str
    token_hash: str
    created_at: datetime
    expires_at: datetime
    sealed_token: str | None = None  # readable only with the secret key, for staff to resend the link
    revoked_at: datetime | None = None
    id: int | None = None

    def is_valid(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at
