"""The request sweep's reads and writes in bulk: one query for a batch of due requests, then one statement
per kind of row (requests, applications, audit events, links, outbox), not one aggregate per request.

Each request is updated only if it is still as the batch read it (open, same next reminder time), and the
batch commits only if every one was: a request an upload or another sweep changed meanwhile makes the
batch roll back and be read again, so a reminder or an expiry happens exactly once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, false, insert, or_, select, update
from sqlalchemy.orm import Session

from onboarding.adapters.orm import applications, audit_events, supplementary_requests, upload_links
from onboarding.adapters.outbox import insert_new_messages
from onboarding.adapters.repository import newest_links
from onboarding.domain.notifications import OutboxMessage
from onboarding.domain.requests import RequestStatus
from onboarding.domain.states import ApplicationState, can_transition

R, A = supplementary_requests.c, applications.c  # R["items"]: `R.items` is the collection's own method
OPEN = str(RequestStatus.OPEN)
assert can_transition(ApplicationState.NEEDS_DOCUMENTS, ApplicationState.EXPIRED)  # the transition done here


class RequestChangedMeanwhile(RuntimeError):
    """A request of the batch was changed by someone else after the batch read it."""


@dataclass(frozen=True)
class LatestLink:
    """The newest link of an application: the one a reminder re-sends, unless staff revoked it."""
    sealed_token: str | None
    expires_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class DueRequest:
    """An open request with something due, as plain values: a batch holds thousands, so no mapped objects."""
    id: int
    application_id: str
    round_number: int
    created_at: datetime
    due_at: datetime
    items: list[dict[str, Any]]
    reminders_sent: list[str]
    next_reminder_at: datetime | None
    application_state: ApplicationState
    phone: str
    email: str | None
    latest_link: LatestLink | None = None


@dataclass
class SweepWrites:
    """What one batch changes, as rows of the tables it writes."""
    requests: list[dict[str, Any]] = field(default_factory=list)  # keys: see `RequestSweepSql.write`
    expired_application_ids: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)  # audit_events rows: domain.model.audit_fields
    links: list[dict[str, Any]] = field(default_factory=list)  # upload_links columns
    messages: list[OutboxMessage] = field(default_factory=list)


class RequestSweepSql:
    def __init__(self, session: Session) -> None:
        self.session = session

    def due(self, as_of: datetime, after_id: int, limit: int) -> list[DueRequest]:
        """Open requests with a reminder or the deadline due, in id order after `after_id`."""
        if self.session.get_bind().dialect.name == "sqlite":
            # Take the write lock before reading: SQLite has one writer, and a batch read before another
            # writer's commit could not write afterwards (its snapshot would be stale).
            self.session.execute(update(supplementary_requests).where(false()).values(status=R.status))
        query = (
            select(R.id, R.application_id, R.round_number, R.status, R.created_at, R.due_at, R.closed_at, R["items"],
                   R.reminders_sent, R.next_reminder_at, A.state, A.phone, A.email)
            .join(applications, A.id == R.application_id)
            .where(R.status == OPEN, or_(R.due_at <= as_of, R.next_reminder_at <= as_of), R.id > after_id)
            .order_by(R.id).limit(limit)
            .with_for_update(of=[supplementary_requests, applications], skip_locked=True)
        )
        rows = self.session.execute(query).all()
        latest = self._latest_links([row.application_id for row in rows])
        return [DueRequest(
            id=row.id, application_id=row.application_id, round_number=row.round_number,
            created_at=row.created_at, due_at=row.due_at, items=row._mapping["items"],
            reminders_sent=row.reminders_sent, next_reminder_at=row.next_reminder_at,
            application_state=ApplicationState(row.state), phone=row.phone, email=row.email,
            latest_link=latest.get(row.application_id),
        ) for row in rows]

    def _latest_links(self, application_ids: list[str]) -> dict[str, LatestLink]:
        """The newest link of each application, in one query."""
        if not application_ids:
            return {}
        return {row.application_id: LatestLink(row.sealed_token, row.expires_at, row.revoked_at)
                for row in self.session.execute(newest_links(application_ids))}

    def write(self, writes: SweepWrites, as_of: datetime) -> None:
        """`writes.requests` rows: request_id and read_next (as read), then new_status, new_closed_at,
        new_reminders_sent and new_next."""
        if writes.requests:
            changed = self.session.execute(
                update(supplementary_requests)
                .where(R.id == bindparam("request_id"), R.status == OPEN,
                       R.next_reminder_at.is_not_distinct_from(bindparam("read_next", type_=R.next_reminder_at.type)))
                .values(status=bindparam("new_status"), closed_at=bindparam("new_closed_at"),
                        reminders_sent=bindparam("new_reminders_sent"), next_reminder_at=bindparam("new_next")),
                writes.requests,
            ).rowcount
            if changed != len(writes.requests):
                raise RequestChangedMeanwhile(f"{len(writes.requests) - changed} request(s) changed meanwhile")
        if writes.expired_application_ids:
            self.session.execute(
                update(applications)
                .where(A.id.in_(writes.expired_application_ids), A.state == ApplicationState.NEEDS_DOCUMENTS)
                .values(state=ApplicationState.EXPIRED, state_changed_at=as_of, version=A.version + 1))
        if writes.events:
            self.session.execute(insert(audit_events), writes.events)
        if writes.links:
            self.session.execute(insert(upload_links), writes.links)
        insert_new_messages(self.session, writes.messages)

