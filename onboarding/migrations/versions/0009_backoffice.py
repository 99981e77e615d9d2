"""Staff back office: accounts, sessions, login attempts, staff events, case assignment and notes, field
history, the keyed-hash search index and possible duplicates.

The search index starts empty; `service.search_index.index_missing` fills it (the back office does at start),
since its key is not the migration's to know. Encrypted columns are Text, sealed by the engine's keys.

Revision ID: 0009
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(), nullable=False),
        sa.Column("disabled_at", sa.DateTime()),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), sa.ForeignKey("staff_accounts.username"), nullable=False, index=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime()),
    )
    op.create_table(
        "staff_login_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("succeeded", sa.Boolean, nullable=False),
    )
    op.create_index("ix_staff_login_attempts_username_at", "staff_login_attempts", ["username", "at"])
    op.create_index("ix_staff_login_attempts_address_at", "staff_login_attempts", ["address", "at"])
    op.create_table(
        "staff_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(64)),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    op.create_table(
        "case_assignments",
        sa.Column("application_id", sa.String(24), sa.ForeignKey("applications.id"), primary_key=True),
        sa.Column("assignee", sa.String(64), sa.ForeignKey("staff_accounts.username"), nullable=False, index=True),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.Column("assigned_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("application_id", sa.String(24), sa.ForeignKey("applications.id"), nullable=False, index=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
    )
    op.create_table(
        "field_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("application_id", sa.String(24), sa.ForeignKey("applications.id"), nullable=False, index=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("old_value", sa.Text()),
        sa.Column("new_value", sa.Text()),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_table(
        "search_index",
        sa.Column("application_id", sa.String(24), sa.ForeignKey("applications.id"), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("digest", sa.String(64), primary_key=True),
    )
    op.create_index("ix_search_index_kind_digest", "search_index", ["kind", "digest"])
    op.create_table(
        "duplicate_matches",
        sa.Column("application_id", sa.String(24), sa.ForeignKey("applications.id"), primary_key=True),
        sa.Column("other_id", sa.String(24), sa.ForeignKey("applications.id"), primary_key=True),
        sa.Column("matched_on", sa.JSON(), nullable=False),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.Column("cleared_at", sa.DateTime()),
        sa.Column("cleared_by", sa.String(64)),
        sa.Column("cleared_reason", sa.Text()),
    )
    op.create_index("ix_duplicate_matches_other", "duplicate_matches", ["other_id"])
    # The queue joins each application to its open round (by status alone SQLite scans every open round).
    op.create_index("ix_supplementary_requests_application_status", "supplementary_requests",
                    ["application_id", "status"])
    # The queue pages by time in state and by age; an application always has a state change time from now on.
    op.execute("UPDATE applications SET state_changed_at = created_at WHERE state_changed_at IS NULL")
    op.create_index("ix_applications_state_state_changed_at", "applications", ["state", "state_changed_at", "id"])
    op.create_index("ix_applications_created_at", "applications", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_applications_created_at", "applications")
    op.drop_index("ix_applications_state_state_changed_at", "applications")
    op.drop_index("ix_supplementary_requests_application_status", "supplementary_requests")
    for table in ("duplicate_matches", "search_index", "field_changes", "case_notes", "case_assignments",
                  "staff_events", "staff_login_attempts", "staff_sessions", "staff_accounts"):
        op.drop_table(table)
