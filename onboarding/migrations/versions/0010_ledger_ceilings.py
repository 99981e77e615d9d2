"""Ledger ceilings, quarantine and voided batches: each terminal's gross amount and largest transaction, its
quarantine, who voided a batch and why, and the voided rows.

Existing terminals get their gross amount added up without overflow, whatever rows they hold (before the
ceilings, two rows of 9223372036854775807 fen could be imported); a terminal above a ceiling is then
quarantined by the next sweep.

Revision ID: 0010
Revises: 0009
"""
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BIGINT_MAX = 2**63 - 1
# Rows up to this many fen cannot overflow a sum of fewer than nine million of them: those are added up in SQL.
SQL_SAFE_FEN = 10**12


def upgrade() -> None:
    with op.batch_alter_table("terminals") as batch:
        batch.add_column(sa.Column("gross_fen", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("largest_fen", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("quarantined_at", sa.DateTime()))
        batch.add_column(sa.Column("quarantine_reason", sa.Text()))
    with op.batch_alter_table("import_batches") as batch:
        batch.add_column(sa.Column("voided_at", sa.DateTime()))
        batch.add_column(sa.Column("voided_by", sa.String(64)))
        batch.add_column(sa.Column("void_reason", sa.Text()))
    op.create_table(
        "voided_transactions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("txn_id", sa.String(64), nullable=False),
        sa.Column("terminal_sn", sa.String(40), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("batch_id", sa.String(24), sa.ForeignKey("import_batches.id"), nullable=False),
    )
    op.create_index("ix_voided_transactions_terminal_sn", "voided_transactions", ["terminal_sn"])
    op.create_index("ix_voided_transactions_batch_id", "voided_transactions", ["batch_id"])
    _add_up_gross_amounts(op.get_bind())


def _add_up_gross_amounts(connection) -> None:
    connection.execute(sa.text(
        "UPDATE terminals SET gross_fen = COALESCE((SELECT SUM(amount_fen) FROM transactions "
        "WHERE transactions.terminal_sn = terminals.serial_number AND amount_fen <= :safe), 0), "
        "largest_fen = COALESCE((SELECT MAX(amount_fen) FROM transactions "
        "WHERE transactions.terminal_sn = terminals.serial_number), 0)"), {"safe": SQL_SAFE_FEN})
    # The rare larger rows, in Python (no overflow), capped at the column's maximum.
    larger: dict[str, int] = defaultdict(int)
    for serial_number, amount in connection.execute(sa.text(
            "SELECT terminal_sn, amount_fen FROM transactions WHERE amount_fen > :safe"), {"safe": SQL_SAFE_FEN}):
        larger[serial_number] += amount
    for serial_number, extra in larger.items():
        gross = connection.execute(sa.text("SELECT gross_fen FROM terminals WHERE serial_number = :sn"),
                                   {"sn": serial_number}).scalar_one()
        connection.execute(sa.text("UPDATE terminals SET gross_fen = :gross WHERE serial_number = :sn"),
                           {"gross": min(gross + extra, BIGINT_MAX), "sn": serial_number})


def downgrade() -> None:
    op.drop_index("ix_voided_transactions_batch_id", "voided_transactions")
    op.drop_index("ix_voided_transactions_terminal_sn", "voided_transactions")
    op.drop_table("voided_transactions")
    with op.batch_alter_table("import_batches") as batch:
        batch.drop_column("void_reason")
        batch.drop_column("voided_by")
        batch.drop_column("voided_at")
    with op.batch_alter_table("terminals") as batch:
        batch.drop_column("quarantine_reason")
        batch.drop_column("quarantined_at")
        batch.drop_column("largest_fen")
        batch.drop_column("gross_fen")
