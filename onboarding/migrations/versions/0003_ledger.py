"""Terminal ledger: terminals, import batches, transactions, deposits, refund instructions.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "terminals",
        sa.Column("serial_number", sa.String(40), primary_key=True),
        sa.Column("model", sa.String(40), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("application_id", sa.String(24), sa.ForeignKey("applications.id"), unique=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("assigned_at", sa.DateTime()),
        sa.Column("shipped_at", sa.DateTime()),
        sa.Column("activation_deadline", sa.DateTime()),
        sa.Column("activation_flagged_at", sa.DateTime()),
        sa.Column("activated_at", sa.DateTime()),
        sa.Column("last_transaction_at", sa.DateTime()),
        sa.Column("suspended_at", sa.DateTime()),
        sa.Column("merchant_code", sa.String(24)),
        sa.Column("registration_number", sa.String(32)),
        sa.Column("settlement_account", sa.String(40)),
        sa.Column("install_address", sa.String(400)),
        sa.Column("bound_at", sa.DateTime()),
        sa.Column("sweep_id", sa.String(32)),
    )
    op.create_index("ix_terminals_state", "terminals", ["state"])
    op.create_table(
        "import_batches",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("new_count", sa.Integer(), nullable=False),
    )
    op.create_table(
        "transactions",
        sa.Column("txn_id", sa.String(64), primary_key=True),
        sa.Column("terminal_sn", sa.String(40), sa.ForeignKey("terminals.serial_number"), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("batch_id", sa.String(24), sa.ForeignKey("import_batches.id"), nullable=False),
    )
    op.create_index("ix_transactions_batch_id", "transactions", ["batch_id"])
    op.create_index("ix_transactions_terminal_time", "transactions",
                    ["terminal_sn", "occurred_at", "kind", "channel", "amount_fen"])
    op.create_table(
        "deposits",
        sa.Column("application_id", sa.String(24), sa.ForeignKey("applications.id"), primary_key=True),
        sa.Column("terminal_sn", sa.String(40), sa.ForeignKey("terminals.serial_number"), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("threshold_fen", sa.BigInteger(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("window_starts_at", sa.DateTime()),
        sa.Column("deadline", sa.DateTime()),
        sa.Column("qualifying_volume_fen", sa.BigInteger(), nullable=False),
        sa.Column("volume_as_of", sa.DateTime()),
        sa.Column("decided_at", sa.DateTime()),
        sa.Column("refund_idempotency_key", sa.String(64), unique=True),
        sa.Column("sweep_id", sa.String(32)),
    )
    op.create_index("ix_deposits_terminal_sn", "deposits", ["terminal_sn"])
    op.create_index("ix_deposits_state", "deposits", ["state"])
    op.create_table(
        "refund_instructions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("idempotency_key", sa.String(64), nullable=False, unique=True),
        sa.Column("application_id", sa.String(24), sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("terminal_sn", sa.String(40), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("holder_name", sa.String(200), nullable=False),
        sa.Column("account_number", sa.String(40), nullable=False),
        sa.Column("bank_name", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime()),
    )
    op.create_index("ix_refund_instructions_application_id", "refund_instructions", ["application_id"])


def downgrade() -> None:
    for table in ("refund_instructions", "deposits", "transactions", "import_batches", "terminals"):
        op.drop_table(table)
