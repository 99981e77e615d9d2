"""Tables of what follows approval: follow-up calls, change requests, complaints; and their mapping.

PII is encrypted like the application's own columns: the values a change proposes and the ones it replaced,
what merchants write in complaints, the findings (their evidence quotes names).
"""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import registry

from onboarding.adapters.columns import EncryptedJSON, EncryptedText, UtcDateTime, metadata
from onboarding.domain.calls import FollowUpCall
from onboarding.domain.changes import ChangeRequest
from onboarding.domain.complaints import Complaint

follow_up_calls = Table(
    "follow_up_calls", metadata,
    Column("id", String(24), primary_key=True),
    # One call per application: approval happens once.
    Column("application_id", String(24), ForeignKey("applications.id"), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False, index=True),
    Column("state", String(16), nullable=False, index=True),
    Column("confirm", JSON, nullable=False),
    Column("blocks_shipping", Boolean, nullable=False),
    Column("policy_version", String(64), nullable=False),
    Column("attempts", EncryptedJSON(), nullable=False),  # staff notes of what the merchant said
    Column("overdue_flagged_at", UtcDateTime()),
    Column("closed_at", UtcDateTime()),
    Column("escalated_at", UtcDateTime()),
    Column("change_request_id", String(24)),
)

change_requests = Table(
    "change_requests", metadata,
    Column("id", String(24), primary_key=True),
    Column("application_id", String(24), ForeignKey("applications.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("state", String(24), nullable=False, index=True),
    Column("proposed", EncryptedJSON(), nullable=False),
    Column("needs_codes", JSON, nullable=False),
    Column("needs_documents", JSON, nullable=False),
    Column("needs_approval", Boolean, nullable=False),
    Column("policy_version", String(64), nullable=False),
    Column("changes_settlement", Boolean, nullable=False),
    Column("codes", JSON, nullable=False),  # salted hashes of the one-time codes, never the codes
    Column("documents", JSON, nullable=False),
    Column("check_pending", Boolean, nullable=False),
    Column("findings", EncryptedJSON(), nullable=False),
    Column("rules_version", String(64)),
    Column("checked_at", UtcDateTime()),
    Column("previous", EncryptedJSON()),
    Column("decided_at", UtcDateTime()),
    Column("decided_by", String(64)),
    Column("reason", Text, nullable=False),
)

complaints = Table(
    "complaints", metadata,
    Column("id", String(24), primary_key=True),
    Column("application_id", String(24), ForeignKey("applications.id"), nullable=False, index=True),
    Column("terminal_sn", String(40)),
    Column("category", String(32), nullable=False),
    Column("text", EncryptedText(), nullable=False),
    Column("opened_at", UtcDateTime(), nullable=False),
    Column("opened_by", String(64), nullable=False),
    Column("complex", Boolean, nullable=False),
    Column("policy_version", String(64), nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("clocks", JSON, nullable=False),
    Column("next_clock_at", UtcDateTime(), index=True),
    Column("messages", EncryptedJSON(), nullable=False),
    Column("attachment_sha256", String(64)),
    Column("attachment_media_type", String(40)),
    Column("closed_at", UtcDateTime()),
    Column("closed_by", String(64)),
    Column("close_reason", Text, nullable=False),
    Column("confirmed_by_merchant", Boolean, nullable=False),
    Column("round", Integer, nullable=False),
)


def map_aftercare(mapper_registry: registry) -> None:
    mapper_registry.map_imperatively(FollowUpCall, follow_up_calls)
    mapper_registry.map_imperatively(ChangeRequest, change_requests)
    mapper_registry.map_imperatively(Complaint, complaints)
