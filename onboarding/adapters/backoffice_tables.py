"""Tables of the staff back office: accounts and sessions, case work (assignment, notes, field history),
the keyed-hash search index over encrypted PII, and possible duplicates between applications."""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from onboarding.adapters.columns import EncryptedText, UtcDateTime, metadata

staff_accounts = Table(
    "staff_accounts", metadata,
    Column("username", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(200), nullable=False),  # argon2id, with its own salt and parameters
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("password_changed_at", UtcDateTime(), nullable=False),
    Column("disabled_at", UtcDateTime()),
)

# The cookie holds a random token; only its SHA-256 is kept, so a copy of the database opens no session.
staff_sessions = Table(
    "staff_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(64), ForeignKey("staff_accounts.username"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("address", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_seen_at", UtcDateTime(), nullable=False),
    Column("ended_at", UtcDateTime()),
)

# Every login attempt, so throttling holds across processes and restarts (and staff can see who tried).
staff_login_attempts = Table(
    "staff_login_attempts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("address", String(64), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Index("ix_staff_login_attempts_username_at", "username", "at"),
    Index("ix_staff_login_attempts_address_at", "address", "at"),
)

# Audit trail of what is not about one application: accounts, logins, exports, sweeps run by staff.
staff_events = Table(
    "staff_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(40), nullable=False),
    Column("subject", String(64)),
    Column("details", JSON, nullable=False),
)

case_assignments = Table(
    "case_assignments", metadata,
    Column("application_id", String(24), ForeignKey("applications.id"), primary_key=True),
    Column("assignee", String(64), ForeignKey("staff_accounts.username"), nullable=False, index=True),
    Column("assigned_at", UtcDateTime(), nullable=False),
    Column("assigned_by", String(64), nullable=False),
)

case_notes = Table(
    "case_notes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("application_id", String(24), ForeignKey("applications.id"), nullable=False, index=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("author", String(64), nullable=False),
    Column("text", EncryptedText(), nullable=False),  # staff write names and numbers into notes
)

# Old and new values of edited application fields: the history keeps them, encrypted like the fields.
field_changes = Table(
    "field_changes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("application_id", String(24), ForeignKey("applications.id"), nullable=False, index=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("field", String(40), nullable=False),
    Column("old_value", EncryptedText()),
    Column("new_value", EncryptedText()),
    Column("reason", Text, nullable=False),
)

# HMAC-SHA256 of each normalised identifier under the index key: equal values give equal digests, so
# search and duplicate detection are one indexed lookup, and no row is decrypted to find a number.
search_index = Table(
    "search_index", metadata,
    Column("application_id", String(24), ForeignKey("applications.id"), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("digest", String(64), primary_key=True),
    Index("ix_search_index_kind_digest", "kind", "digest"),
)

# One row per pair of applications, the smaller id first.
duplicate_matches = Table(
    "duplicate_matches", metadata,
    Column("application_id", String(24), ForeignKey("applications.id"), primary_key=True),
    Column("other_id", String(24), ForeignKey("applications.id"), primary_key=True),
    Column("matched_on", JSON, nullable=False),  # id_number, uscc, card_number, phone, document
    Column("found_at", UtcDateTime(), nullable=False),
    Column("cleared_at", UtcDateTime()),
    Column("cleared_by", String(64)),
    Column("cleared_reason", Text),
    Index("ix_duplicate_matches_other", "other_id"),
)
