"""Staff accounts and what each role may do. Roles are ranked: each one may do everything the one below may."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    REVIEWER = "reviewer"
    OPS = "ops"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def may(self, permission: "Permission") -> bool:
        return self.rank >= PERMISSION_ROLE[permission].rank


class Permission(StrEnum):
    VIEW = "view"            # queue, case page, images, terminals, deposits, report
    DECIDE = "decide"        # approve, reject, accept findings, request documents, edit, withdraw, reopen, …
    OPERATE = "operate"      # rerun checks, sweep dry runs, terminals and the ledger
    MANAGE_STAFF = "manage_staff"


PERMISSION_ROLE: dict[Permission, Role] = {
    Permission.VIEW: Role.REVIEWER,
    Permission.DECIDE: Role.REVIEWER,
    Permission.OPERATE: Role.OPS,
    Permission.MANAGE_STAFF: Role.ADMIN,
}

USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


class StaffRefused(ValueError):
    """A staff-account request that cannot be done as asked; nothing was changed."""


def staff_actor(username: str) -> str:
    """How a staff member is named in every audit event."""
    return f"staff:{username}"


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise StaffRefused(f"unknown role {value!r} (roles: {', '.join(Role)})") from None


def check_username(username: str) -> str:
    if not USERNAME.match(username or ""):
        raise StaffRefused(f"username {username!r}: 2-32 characters, lower-case letters, digits, '.', '_' or '-', "
                           "starting with a letter")
    return username


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffRefused(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise StaffRefused(f"a password has at most {MAX_PASSWORD_LENGTH} characters")
    if password != password.strip() or any(ord(c) < 32 for c in password):
        raise StaffRefused("a password may not start or end with spaces or hold control characters")
    return password


@dataclass(frozen=True)
class StaffAccount:
    username: str
    role: Role
    created_at: datetime
    created_by: str
    password_changed_at: datetime
    disabled_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.disabled_at is None

    @property
    def actor(self) -> str:
        return staff_actor(self.username)
