"""`uow.staff`: staff accounts, their sessions, login attempts and the staff audit trail (plain Core)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from onboarding.adapters.backoffice_tables import staff_accounts, staff_events, staff_login_attempts, staff_sessions
from onboarding.domain.staff import Role, StaffAccount

_ACCOUNT_FIELDS = ("username", "role", "created_at", "created_by", "password_changed_at", "disabled_at")


@dataclass(frozen=True)
class SessionRow:
    username: str
    role: Role
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None
    account_disabled_at: datetime | None


def _account(row: Any) -> StaffAccount:
    return StaffAccount(**{**{name: row[name] for name in _ACCOUNT_FIELDS}, "role": Role(row["role"])})


class StaffRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # ---- accounts ----------------------------------------------------------------------------

    def get(self, username: str) -> StaffAccount | None:
        row = self.session.execute(select(staff_accounts).where(staff_accounts.c.username == username)).mappings().first()
        return None if row is None else _account(row)

    def password_hash(self, username: str) -> str | None:
        return self.session.execute(select(staff_accounts.c.password_hash)
                                    .where(staff_accounts.c.username == username)).scalar()

    def all(self) -> list[StaffAccount]:
        rows = self.session.execute(select(staff_accounts).order_by(staff_accounts.c.username)).mappings()
        return [_account(r) for r in rows]

    def add(self, account: StaffAccount, password_hash: str) -> None:
        values = {name: getattr(account, name) for name in _ACCOUNT_FIELDS}
        self.session.execute(insert(staff_accounts).values(**values | {"role": str(account.role)},
                                                           password_hash=password_hash))

    def set_password_hash(self, username: str, password_hash: str, at: datetime) -> None:
        self.session.execute(update(staff_accounts).where(staff_accounts.c.username == username)
                             .values(password_hash=password_hash, password_changed_at=at))

    def disable(self, username: str, at: datetime) -> None:
        self.session.execute(update(staff_accounts).where(staff_accounts.c.username == username,
                                                          staff_accounts.c.disabled_at.is_(None))
                             .values(disabled_at=at))

    # ---- sessions ----------------------------------------------------------------------------

    def add_session(self, token_hash: str, username: str, csrf_token: str, address: str, at: datetime) -> None:
        self.session.execute(insert(staff_sessions).values(
            token_hash=token_hash, username=username, csrf_token=csrf_token, address=address[:64],
            created_at=at, last_seen_at=at))

    def find_session(self, token_hash: str) -> SessionRow | None:
        row = self.session.execute(
            select(staff_sessions.c.username, staff_accounts.c.role, staff_sessions.c.csrf_token,
                   staff_sessions.c.created_at, staff_sessions.c.last_seen_at, staff_sessions.c.ended_at,
                   staff_accounts.c.disabled_at.label("account_disabled_at"))
            .join(staff_accounts, staff_accounts.c.username == staff_sessions.c.username)
            .where(staff_sessions.c.token_hash == token_hash)).mappings().first()
        return None if row is None else SessionRow(**{**row, "role": Role(row["role"])})

    def touch_session(self, token_hash: str, at: datetime) -> None:
        self.session.execute(update(staff_sessions).where(staff_sessions.c.token_hash == token_hash)
                             .values(last_seen_at=at))

    def end_session(self, token_hash: str, at: datetime) -> None:
        self.session.execute(update(staff_sessions).where(staff_sessions.c.token_hash == token_hash,
                                                          staff_sessions.c.ended_at.is_(None))
                             .values(ended_at=at))

    def end_sessions_of(self, username: str, at: datetime) -> int:
        return self.session.execute(update(staff_sessions).where(staff_sessions.c.username == username,
                                                                 staff_sessions.c.ended_at.is_(None))
                                    .values(ended_at=at)).rowcount

    # ---- login attempts and the staff audit trail ---------------------------------------------

    def record_attempt(self, username: str, address: str, at: datetime, succeeded: bool) -> None:
        self.session.execute(insert(staff_login_attempts).values(
            username=username[:64], address=address[:64], at=at, succeeded=succeeded))

    def failures_since(self, since: datetime, *, username: str | None = None, address: str | None = None) -> int:
        """Failed attempts within the window: for an account, since its last success; for an address, all of
        them (a valid account of one's own must not reset the count for guessing at others)."""
        column, value = self._who(username, address)
        # Ordered by id, not time: attempts within one clock tick still come one after the other.
        last_success = self.session.execute(select(func.max(staff_login_attempts.c.id)).where(
            column == value, staff_login_attempts.c.succeeded.is_(True), staff_login_attempts.c.at >= since)).scalar()
        query = select(func.count()).select_from(staff_login_attempts).where(
            column == value, staff_login_attempts.c.succeeded.is_(False), staff_login_attempts.c.at >= since)
        if last_success is not None and username is not None:
            query = query.where(staff_login_attempts.c.id > last_success)
        return self.session.execute(query).scalar_one()

    @staticmethod
    def _who(username: str | None, address: str | None):
        if username is not None:
            return staff_login_attempts.c.username, username[:64]
        return staff_login_attempts.c.address, (address or "")[:64]

    def record_event(self, at: datetime, actor: str, action: str, subject: str | None = None,
                     details: dict[str, Any] | None = None) -> None:
        self.session.execute(insert(staff_events).values(at=at, actor=actor, action=action, subject=subject,
                                                         details=details or {}))

    def events(self, limit: int = 200) -> list[dict[str, Any]]:
        rows = self.session.execute(select(staff_events).order_by(staff_events.c.id.desc()).limit(limit)).mappings()
        return [dict(r) for r in rows]
