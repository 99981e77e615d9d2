"""After approval: follow-up calls, change requests (and the documents they propose), complaints.

Revision ID: 0012
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("proposed_for", sa.String(24)))
    op.create_table(
        "follow_up_calls",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("application_id", sa.String(24), sa.ForeignKey("applications.id"), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("confirm", sa.JSON(), nullable=False),
        sa.Column("blocks_shipping", sa.Boolean(), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("attempts", sa.Text(), nullable=False),
        sa.Column("overdue_flagged_at", sa.DateTime()),
        sa.Column("closed_at", sa.DateTime()),
        sa.Column("escalated_at", sa.DateTime()),
        sa.Column("change_request_id", sa.String(24)),
    )
    op.create_index("ix_follow_up_calls_due_at", "follow_up_calls", ["due_at"])
    op.create_index("ix_follow_up_calls_state", "follow_up_calls", ["state"])
    op.create_table(
        "change_requests",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("application_id", sa.String(24), sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("proposed", sa.Text(), nullable=False),
        sa.Column("needs_codes", sa.JSON(), nullable=False),
        sa.Column("needs_documents", sa.JSON(), nullable=False),
        sa.Column("needs_approval", sa.Boolean(), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("changes_settlement", sa.Boolean(), nullable=False),
        sa.Column("codes", sa.JSON(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("check_pending", sa.Boolean(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("rules_version", sa.String(64)),
        sa.Column("checked_at", sa.DateTime()),
        sa.Column("previous", sa.Text()),
        sa.Column("decided_at", sa.DateTime()),
        sa.Column("decided_by", sa.String(64)),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_index("ix_change_requests_application_id", "change_requests", ["application_id"])
    op.create_index("ix_change_requests_state", "change_requests", ["state"])
    op.create_table(
        "complaints",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("application_id", sa.String(24), sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("terminal_sn", sa.String(40)),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("opened_by", sa.String(64), nullable=False),
        sa.Column("complex", sa.Boolean(), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("clocks", sa.JSON(), nullable=False),
        sa.Column("next_clock_at", sa.DateTime()),
        sa.Column("messages", sa.Text(), nullable=False),
        sa.Column("attachment_sha256", sa.String(64)),
        sa.Column("attachment_media_type", sa.String(40)),
        sa.Column("closed_at", sa.DateTime()),
        sa.Column("closed_by", sa.String(64)),
        sa.Column("close_reason", sa.Text(), nullable=False),
        sa.Column("confirmed_by_merchant", sa.Boolean(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
    )
    op.create_index("ix_complaints_application_id", "complaints", ["application_id"])
    op.create_index("ix_complaints_state", "complaints", ["state"])
    op.create_index("ix_complaints_next_clock_at", "complaints", ["next_clock_at"])


def downgrade() -> None:
    op.drop_table("complaints")
    op.drop_table("change_requests")
    op.drop_table("follow_up_calls")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("proposed_for")
