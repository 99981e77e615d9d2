"""Staff accounts, logins and sessions of the back office.

Passwords are hashed with argon2id (memory-hard); a session is a random token in an HttpOnly cookie whose
SHA-256 is kept in our database, so it can be revoked and ends after the configured idle time.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from onboarding.domain.staff import (
    Role, StaffAccount, StaffRefused, check_password, check_username, parse_role, staff_actor,
)
from onboarding.service.ports import Records

GENERATED_PASSWORD_BYTES = 15  # 20 URL-safe characters, 120 bits
TOUCH_EVERY = timedelta(seconds=60)  # last_seen_at is written at most this often per session


class LoginRefused(Exception):
    """Wrong name or password, a disabled account, or too many failures; the message is safe to show."""

    def __init__(self, message: str, throttled: bool = False) -> None:
        super().__init__(message)
        self.throttled = throttled


@dataclass(frozen=True)
class StaffSession:
    """The logged-in staff member of one request."""

    username: str
    role: Role
    csrf_token: str

    @property
    def actor(self) -> str:
        return staff_actor(self.username)


@dataclass(frozen=True)
class NewSession:
    token: str  # goes into the cookie; never stored
    session: StaffSession


@lru_cache(maxsize=1)
def _hasher():
    # heavy import, paid only on the path that needs it
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id, RFC 9106 low-memory profile (64 MiB, t=3, p=4)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _verify(password_hash: str | None, password: str) -> bool:
    # heavy import, paid only on the path that needs it
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        # An unknown name is checked against a throw-away hash, so the answer takes as long as for a real one.
        return _hasher().verify(password_hash or _decoy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ---- accounts ---------------------------------------------------------------------------------


def add_staff(services: Records, username: str, role: str, password: str | None, *,
              actor: str) -> tuple[StaffAccount, str | None]:
    """Returns the account and, when no password was given, the generated one (shown once, never stored)."""
    username, parsed_role = check_username(username), parse_role(role)
    generated = None if password is not None else secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)
    password_hash = hash_password(check_password(password if password is not None else generated))
    with services.uow() as uow:
        if uow.staff.get(username) is not None:
            raise StaffRefused(f"staff account {username} exists already")
        now = services.clock()
        account = StaffAccount(username=username, role=parsed_role, created_at=now, created_by=actor,
                               password_changed_at=now)
        uow.staff.add(account, password_hash)
        uow.staff.record_event(now, actor, "staff_added", username, {"role": str(parsed_role)})
        uow.commit()
    return account, generated


def list_staff(services: Records) -> list[StaffAccount]:
    with services.uow() as uow:
        return uow.staff.all()


def _existing(uow, username: str) -> StaffAccount:
    account = uow.staff.get(username)
    if account is None:
        raise StaffRefused(f"no staff account {username}")
    return account


def disable_staff(services: Records, username: str, *, actor: str) -> int:
    """The account can no longer log in and every session of it ends now; returns how many ended."""
    with services.uow() as uow:
        account = _existing(uow, username)
        if not account.active:
            raise StaffRefused(f"staff account {username} is disabled already")
        now = services.clock()
        uow.staff.disable(username, now)
        ended = uow.staff.end_sessions_of(username, now)
        uow.staff.record_event(now, actor, "staff_disabled", username, {"sessions_ended": ended})
        uow.commit()
        return ended


def set_password(services: Records, username: str, password: str, *, actor: str) -> int:
    """A new password ends every session of the account (someone may know the old one)."""
    password_hash = hash_password(check_password(password))
    with services.uow() as uow:
        _existing(uow, username)
        now = services.clock()
        uow.staff.set_password_hash(username, password_hash, now)
        ended = uow.staff.end_sessions_of(username, now)
        uow.staff.record_event(now, actor, "staff_password_changed", username, {"sessions_ended": ended})
        uow.commit()
        return ended


def staff_events(services: Records, limit: int = 200) -> list[dict]:
    with services.uow() as uow:
        return uow.staff.events(limit)


# ---- logins and sessions ----------------------------------------------------------------------


def _throttled(services: Records, uow, username: str, address: str, now: datetime) -> str | None:
    settings = services.settings
    since = now - timedelta(minutes=settings.backoffice_login_window_minutes)
    if uow.staff.failures_since(since, address=address) >= settings.backoffice_login_failures_per_address:
        return "too many failed logins from this address; try again later"
    if uow.staff.failures_since(since, username=username) >= settings.backoffice_login_failures_per_account:
        return (f"too many failed logins for this account; try again in "
                f"{settings.backoffice_login_window_minutes} minutes or ask an admin")
    return None


def log_in(services: Records, username: str, password: str, address: str) -> NewSession:
    """Every attempt is recorded; failures count against both the account and the address."""
    username = (username or "").strip().lower()[:64]
    now = services.clock()
    with services.uow() as uow:
        refusal = _throttled(services, uow, username, address, now)
        if refusal is not None:
            uow.staff.record_attempt(username, address, now, succeeded=False)
            uow.commit()
            raise LoginRefused(refusal, throttled=True)
        account = uow.staff.get(username)
        password_hash = uow.staff.password_hash(username) if account else None
    ok = _verify(password_hash, password or "") and account is not None and account.active
    with services.uow() as uow:
        uow.staff.record_attempt(username, address, now, succeeded=ok)
        if not ok:
            uow.commit()
            raise LoginRefused("wrong username or password, or the account is disabled")
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        uow.staff.add_session(token_hash(token), username, csrf, address, now)
        uow.staff.record_event(now, account.actor, "logged_in", username, {"address": address[:64]})
        uow.commit()
    return NewSession(token=token, session=StaffSession(username=username, role=account.role, csrf_token=csrf))


def session_for(services: Records, token: str | None) -> StaffSession | None:
    """The live session of this cookie, or None (unknown, logged out, idle too long, account disabled)."""
    if not token or len(token) > 128:
        return None
    hashed = token_hash(token)
    now = services.clock()
    with services.uow() as uow:
        row = uow.staff.find_session(hashed)
        if row is None or row.ended_at is not None or row.account_disabled_at is not None:
            return None
        if now - row.last_seen_at > timedelta(minutes=services.settings.backoffice_idle_minutes):
            uow.staff.end_session(hashed, now)
            uow.commit()
            return None
        if now - row.last_seen_at >= TOUCH_EVERY:
            uow.staff.touch_session(hashed, now)
            uow.commit()
        return StaffSession(username=row.username, role=row.role, csrf_token=row.csrf_token)


def log_out(services: Records, token: str, actor: str) -> None:
    with services.uow() as uow:
        now = services.clock()
        uow.staff.end_session(token_hash(token), now)
        uow.staff.record_event(now, actor, "logged_out", actor.removeprefix("staff:"))
        uow.commit()


def active_account(services: Records, username: str) -> StaffAccount:
    with services.uow() as uow:
        account = _existing(uow, username)
    if not account.active:
        raise StaffRefused(f"staff account {username} is disabled")
    return account
