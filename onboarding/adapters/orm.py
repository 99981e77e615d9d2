"""Tables and the imperative mapping of the domain classes onto them (the domain never imports this)."""
from __future__ import annotations

from sqlalchemy import JSON, Column, Float, ForeignKey, Index, Integer, String, Table, Text, text
from sqlalchemy.orm import registry, relationship

from documents.types import DocumentType
from onboarding.adapters.aftercare_tables import map_aftercare
from onboarding.adapters.columns import EncryptedJSON, EncryptedText, StrEnumColumn, UtcDateTime, metadata
from onboarding.domain.model import Application, AuditEvent, DecisionRecord, Document
from onboarding.domain.requests import SupplementaryRequest, UploadLink
from onboarding.domain.states import ApplicationState
from rules.model import MerchantType, Outcome



applications = Table(
    "applications", metadata,
    Column("id", String(24), primary_key=True),
    Column("merchant_type", StrEnumColumn(MerchantType), nullable=False),
    # Encrypted at rest: people's names, ID and card numbers, the (real-name registered) phone number.
    # Clear: business name and address (on the storefront and the licence; reports group by them) and the
    # email, which like the phone is also the outbox's recipient, and by which tools find an applicant.
    Column("legal_name", EncryptedText(), nullable=False),
    Column("id_number", EncryptedText(), nullable=False),
    Column("phone", EncryptedText(), nullable=False),
    Column("email", String(254)),
    Column("business_name", String(200), nullable=False),
    Column("business_address", String(400), nullable=False),
    Column("settlement_holder_name", EncryptedText(), nullable=False),
    Column("settlement_number", EncryptedText(), nullable=False),
    Column("settlement_bank", String(100), nullable=False),
    Column("device_model", String(40), nullable=False),
    Column("state", StrEnumColumn(ApplicationState), nullable=False, index=True),
    Column("state_changed_at", UtcDateTime()),
    Column("created_at", UtcDateTime(), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("waivers", JSON, nullable=False, default=list),
    # What a bulk load derived from an application's content, so loading the same folder again adds nothing.
    Column("submission_key", String(64)),
    Index("ix_applications_submission_key", "submission_key", unique=True),
    # The staff queue pages through applications of some states by how long they have waited.
    Index("ix_applications_state_state_changed_at", "state", "state_changed_at", "id"),
)

_CURRENT_DOCUMENT = "superseded_at IS NULL AND proposed_for IS NULL"

documents = Table(
    "documents", metadata,
    Column("id", String(24), primary_key=True),
    Column("application_id", String(24), ForeignKey("applications.id"), nullable=False, index=True),
    Column("document_type", StrEnumColumn(DocumentType), nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("size_bytes", Integer, nullable=False),
    Column("media_type", String(40), nullable=False),
    Column("width", Integer),
    Column("height", Integer),
    Column("blur_score", Float),
    Column("source_name", String(255)),
    Column("uploaded_at", UtcDateTime(), nullable=False),
    Column("uploaded_by", String(64), nullable=False),
    Column("superseded_at", UtcDateTime()),
    Column("fields", EncryptedJSON()),
    Column("ocr_engine", String(64)),
    # Set when retention removed the file and what was read from it; the row stays for the audit trail.
    Column("purged_at", UtcDateTime()),
    # The change request this document was sent for; not the application's until that change is applied.
    Column("proposed_for", String(24)),
    # One current document per type, whatever runs in parallel (migration 0014).
    Index("ux_documents_one_current_per_type", "application_id", "document_type", unique=True,
          sqlite_where=text(_CURRENT_DOCUMENT), postgresql_where=text(_CURRENT_DOCUMENT)),
)

def finding_codes(findings: list[dict] | None) -> list[dict]:
    """The non-personal part of findings: what they are about, never what they say."""
    return [{"code": f.get("code"), "document_type": f.get("document_type")} for f in findings or ()
            if isinstance(f, dict)]


def _codes_of_deficiencies(context) -> list[dict]:
    # A column default, so every insert (the mapper's, a bulk insert in a benchmark) fills it from the same row.
    return finding_codes(context.get_current_parameters().get("deficiencies"))


decisions = Table(
    "decisions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("application_id", String(24), ForeignKey("applications.id"), nullable=False, index=True),
    Column("outcome", StrEnumColumn(Outcome), nullable=False),
    # Encrypted: messages and evidence quote names, ID numbers and what OCR read. What queries need (the queue's
    # blockers, the report's codes) is kept beside them in clear: codes and document types, nothing personal.
    Column("deficiencies", EncryptedJSON(), nullable=False),
    Column("warnings", EncryptedJSON(), nullable=False),
    Column("deficiency_codes", JSON, nullable=False, default=_codes_of_deficiencies),
    Column("rules_version", String(64), nullable=False),
    Column("ocr_engine", String(64), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("decided_at", UtcDateTime(), nullable=False),
    Column("decided_by", String(64), nullable=False),
)

audit_events = Table(
    "audit_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("application_id", String(24), ForeignKey("applications.id"), nullable=False, index=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(40), nullable=False),
    Column("from_state", String(32)),
    Column("to_state", String(32)),
    Column("reason", Text, nullable=False),
    Column("details", JSON, nullable=False),
)

supplementary_requests = Table(
    "supplementary_requests", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("application_id", String(24), ForeignKey("applications.id"), nullable=False, index=True),
    Column("round_number", Integer, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("closed_at", UtcDateTime()),
    Column("items", EncryptedJSON(), nullable=False),  # the deficiencies asked about, messages and evidence
    Column("reminders_sent", JSON, nullable=False),
    Column("next_reminder_at", UtcDateTime(), index=True),
    # The queue joins each application to its open round: by application first, not by status.
    Index("ix_supplementary_requests_application_status", "application_id", "status"),
)

upload_links = Table(
    "upload_links", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("application_id", String(24), ForeignKey("applications.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("sealed_token", Text),
    Column("revoked_at", UtcDateTime()),
)

# OCR output keyed by what determines it, so the same file is never read twice by the same pipeline.
ocr_readings = Table(
    "ocr_readings", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("document_type", String(32), primary_key=True),
    Column("engine", String(64), primary_key=True),
    Column("pipeline_version", String(32), primary_key=True),
    Column("reading", EncryptedJSON(), nullable=False),
    Column("seconds", Float, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

mapper_registry = registry()


def start_mappers() -> None:
    """Idempotent: safe to call from every entry point."""
    if mapper_registry.mappers:
        return

    map_aftercare(mapper_registry)
    mapper_registry.map_imperatively(AuditEvent, audit_events)
    mapper_registry.map_imperatively(Document, documents)
    mapper_registry.map_imperatively(DecisionRecord, decisions)
    mapper_registry.map_imperatively(SupplementaryRequest, supplementary_requests)
    mapper_registry.map_imperatively(UploadLink, upload_links)
    mapper_registry.map_imperatively(
        Application, applications,
        version_id_col=applications.c.version,
        properties={
            "documents": relationship(Document, order_by=documents.c.uploaded_at, lazy="selectin",
                                      cascade="all, delete-orphan"),
            "decisions": relationship(DecisionRecord, order_by=decisions.c.id, lazy="selectin",
                                      cascade="all, delete-orphan"),
            "requests": relationship(SupplementaryRequest, order_by=supplementary_requests.c.round_number,
                                     lazy="selectin", cascade="all, delete-orphan"),
            "links": relationship(UploadLink, order_by=upload_links.c.id, lazy="selectin",
                                  cascade="all, delete-orphan"),
            "events": relationship(AuditEvent, order_by=audit_events.c.id, lazy="selectin",
                                   cascade="all, delete-orphan"),
        },
    )
