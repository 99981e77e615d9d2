"""Messages to merchants, written to the outbox in the same transaction as the change they announce."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


@dataclass(frozen=True)
class OutboxMessage:
    """`idempotency_key` names the event, not the attempt: enqueueing the same key twice keeps one message."""

    idempotency_key: str
    channel: Channel
    recipient: str
    subject: str
    body: str
    created_at: datetime
    application_id: str | None = None
