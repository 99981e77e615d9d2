"""The outbox table and its repository."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Column, Integer, String, Table, Text, func, or_, select, update
from sqlalchemy.orm import Session

from onboarding.adapters.columns import EncryptedText, UtcDateTime, metadata
from onboarding.domain.notifications import Channel, OutboxMessage

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("application_id", String(24), index=True),
    Column("channel", String(16), nullable=False),
    # Encrypted: a phone number or address, and a text that may name the merchant. Nothing looks messages up
    # by either; the idempotency key and the application id find them.
    Column("recipient", EncryptedText(), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("body", EncryptedText(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("claimed_at", UtcDateTime()),
    Column("sent_at", UtcDateTime()),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    # Set when a send may or may not have reached the merchant (a timeout after the request left, or a sender
    # that died holding the claim) on a channel that cannot drop a second copy: staff decide, nothing resends.
    Column("outcome_unknown_at", UtcDateTime()),
)


@dataclass(frozen=True)
class PendingMessage:
    id: int
    message: OutboxMessage
    attempts: int


def insert_new_messages(session: Session, messages: list[OutboxMessage]) -> None:
    """Bulk insert of messages whose events this transaction just created, so no key exists yet."""
    if messages:
        session.execute(outbox.insert(), [
            {"idempotency_key": m.idempotency_key, "application_id": m.application_id, "channel": str(m.channel),
             "recipient": m.recipient, "subject": m.subject, "body": m.body, "created_at": m.created_at,
             "attempts": 0}
            for m in messages])


def _claimable(now: datetime, lease: timedelta):
    return or_(outbox.c.claimed_at.is_(None), outbox.c.claimed_at < now - lease)


def _left_to_staff():
    """Not sent, and its outcome unknown: staff decide."""
    return (outbox.c.sent_at.is_(None), outbox.c.outcome_unknown_at.is_not(None))


def _undecided():
    """Neither sent nor left to staff."""
    return (outbox.c.sent_at.is_(None), outbox.c.outcome_unknown_at.is_(None))


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def enqueue(self, message: OutboxMessage) -> bool:
        """False when a message with this key already exists (a rerun): nothing is added."""
        exists = self.session.execute(
            select(outbox.c.id).where(outbox.c.idempotency_key == message.idempotency_key)
        ).first()
        if exists:
            return False
        self.session.execute(outbox.insert().values(
            idempotency_key=message.idempotency_key, application_id=message.application_id,
            channel=str(message.channel), recipient=message.recipient, subject=message.subject,
            body=message.body, created_at=message.created_at, attempts=0,
        ))
        return True

    def pending(self, now: datetime, lease: timedelta, limit: int = 100, max_attempts: int = 10,
                application_id: str | None = None) -> list[PendingMessage]:
        query = select(outbox).where(*_undecided(), outbox.c.attempts < max_attempts, _claimable(now, lease))
        if application_id is not None:
            query = query.where(outbox.c.application_id == application_id)
        rows = self.session.execute(query.order_by(outbox.c.id).limit(limit)).mappings()
        return [PendingMessage(id=r["id"], attempts=r["attempts"], message=OutboxMessage(
            idempotency_key=r["idempotency_key"], channel=Channel(r["channel"]), recipient=r["recipient"],
            subject=r["subject"], body=r["body"], created_at=r["created_at"], application_id=r["application_id"],
        )) for r in rows]

    def count_pending(self, now: datetime, lease: timedelta, max_attempts: int = 10) -> int:
        """How many messages a delivery now would try (a dry run's "would send")."""
        return self.session.execute(select(func.count()).select_from(outbox).where(
            outbox.c.sent_at.is_(None), outbox.c.attempts < max_attempts, _claimable(now, lease))).scalar_one()

    def claim(self, message_id: int, now: datetime, lease: timedelta) -> bool:
        """Takes the message for one sender for `lease`; only one sender can win the row. A sender that dies
        holding it loses it when the lease runs out, so the message is sent by the next one, not lost."""
        result = self.session.execute(
            update(outbox).where(outbox.c.id == message_id, *_undecided(), _claimable(now, lease))
            .values(claimed_at=now, attempts=outbox.c.attempts + 1)
        )
        return result.rowcount == 1

    def mark_sent(self, message_id: int, at: datetime, stored_body: str) -> None:
        self.session.execute(update(outbox).where(outbox.c.id == message_id)
                             .values(sent_at=at, body=stored_body, last_error=None))

    def release(self, message_id: int, error: str) -> None:
        """The send failed: pending again for the next attempt."""
        self.session.execute(update(outbox).where(outbox.c.id == message_id)
                             .values(claimed_at=None, last_error=error[:2000]))

    def mark_unknown(self, message_id: int, at: datetime, why: str) -> None:
        """The provider may have the message: it is not sent again by itself."""
        self.session.execute(update(outbox).where(outbox.c.id == message_id)
                             .values(outcome_unknown_at=at, last_error=why[:2000]))

    def mark_abandoned_unknown(self, now: datetime, lease: timedelta, channels: list[str]) -> int:
        """Claims whose lease ran out on these channels: their sender died after the provider may have taken
        the message. Returns how many."""
        if not channels:
            return 0
        result = self.session.execute(
            update(outbox).where(*_undecided(), outbox.c.channel.in_(channels), outbox.c.claimed_at.is_not(None),
                                 outbox.c.claimed_at < now - lease)
            .values(outcome_unknown_at=now,
                    last_error="the sender stopped after the provider may have accepted the message"))
        return result.rowcount

    def by_key(self, idempotency_key: str) -> dict | None:
        row = self.session.execute(select(outbox).where(outbox.c.idempotency_key == idempotency_key)).mappings()
        found = row.first()
        return None if found is None else dict(found)

    def settle_unknown(self, message_id: int, at: datetime, *, resend: bool) -> bool:
        """Staff's decision on a message whose outcome is unknown: send it again (pending once more, its
        `outcome_unknown_at` cleared) or take it as delivered. False when it is no longer unknown."""
        values = ({"outcome_unknown_at": None, "claimed_at": None} if resend else {"sent_at": at})
        result = self.session.execute(update(outbox).where(outbox.c.id == message_id, *_left_to_staff())
                                      .values(**values))
        return result.rowcount == 1

    def application_ids_with_unsent(self, application_id: str | None = None) -> list[str]:
        query = select(outbox.c.application_id).where(*_undecided(),
                                                      outbox.c.application_id.is_not(None)).distinct()
        if application_id is not None:
            query = query.where(outbox.c.application_id == application_id)
        return list(self.session.scalars(query))

    def for_application(self, application_id: str) -> list[dict]:
        rows = self.session.execute(
            select(outbox).where(outbox.c.application_id == application_id).order_by(outbox.c.id)
        ).mappings()
        return [dict(r) for r in rows]
