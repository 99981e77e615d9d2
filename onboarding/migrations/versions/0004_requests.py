"""Supplementary-material requests.

Revision ID: 0004
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "supplementary_requests",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("application_id", sa.String(24), sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("round_number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime()),
        sa.Column("revoked_at", sa.DateTime()),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("reminders_sent", sa.JSON(), nullable=False),
    )
    op.create_index("ix_supplementary_requests_application_id", "supplementary_requests", ["application_id"])
    op.create_index("ix_supplementary_requests_status", "supplementary_requests", ["status"])


def downgrade() -> None:
    op.drop_table("supplementary_requests")
