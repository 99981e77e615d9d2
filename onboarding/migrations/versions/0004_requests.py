"""Supplementary-material requests, upload links, staff waivers.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("waivers", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "supplementary_requests",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("application_id", sa.String(24), sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("round_number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime()),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("reminders_sent", sa.JSON(), nullable=False),
        sa.Column("next_reminder_at", sa.DateTime()),
    )
    op.create_index("ix_supplementary_requests_application_id", "supplementary_requests", ["application_id"])
    op.create_index("ix_supplementary_requests_status", "supplementary_requests", ["status"])
    op.create_index("ix_supplementary_requests_next_reminder_at", "supplementary_requests", ["next_reminder_at"])
    op.create_table(
        "upload_links",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("application_id", sa.String(24), sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("sealed_token", sa.Text()),
        sa.Column("revoked_at", sa.DateTime()),
    )
    op.create_index("ix_upload_links_application_id", "upload_links", ["application_id"])


def downgrade() -> None:
    op.drop_table("upload_links")
    op.drop_table("supplementary_requests")
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("waivers")
