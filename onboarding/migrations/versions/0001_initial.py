"""Applications, documents, decisions, audit events, OCR readings.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("merchant_type", sa.String(32), nullable=False),
        sa.Column("legal_name", sa.String(64), nullable=False),
        sa.Column("id_number", sa.String(32), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("business_name", sa.String(200), nullable=False),
        sa.Column("business_address", sa.String(400), nullable=False),
        sa.Column("settlement_holder_name", sa.String(200), nullable=False),
        sa.Column("settlement_number", sa.String(40), nullable=False),
        sa.Column("settlement_bank", sa.String(100), nullable=False),
        sa.Column("device_model", sa.String(40), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("state_changed_at", sa.DateTime()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_applications_state", "applications", ["state"])
    op.create_table(
        "documents",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("application_id", sa.String(24), sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("document_type", sa.String(32), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(40), nullable=False),
        sa.Column("width", sa.Integer()),
        sa.Column("height", sa.Integer()),
        sa.Column("blur_score", sa.Float()),
        sa.Column("source_name", sa.String(255)),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("superseded_at", sa.DateTime()),
        sa.Column("fields", sa.JSON()),
        sa.Column("ocr_engine", sa.String(64)),
    )
    op.create_index("ix_documents_application_id", "documents", ["application_id"])
    op.create_index("ix_documents_sha256", "documents", ["sha256"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("application_id", sa.String(24), sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("deficiencies", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("rules_version", sa.String(64), nullable=False),
        sa.Column("ocr_engine", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=False),
    )
    op.create_index("ix_decisions_application_id", "decisions", ["application_id"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("application_id", sa.String(24), sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("from_state", sa.String(32)),
        sa.Column("to_state", sa.String(32)),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    op.create_index("ix_audit_events_application_id", "audit_events", ["application_id"])
    op.create_table(
        "ocr_readings",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("document_type", sa.String(32), primary_key=True),
        sa.Column("engine", sa.String(64), primary_key=True),
        sa.Column("pipeline_version", sa.String(32), primary_key=True),
        sa.Column("reading", sa.JSON(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    for table in ("ocr_readings", "audit_events", "decisions", "documents", "applications"):
        op.drop_table(table)
