"""Tables of the terminal ledger: inventory, transactions, import batches (and the rows of voided ones),
deposits, refund instructions.

`sweep_id` columns name the sweep run that last changed a row, so one set-based UPDATE can be followed
by INSERT … SELECTs (audit events, refund instructions) over exactly the rows that run changed.
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text

from onboarding.adapters.columns import EncryptedText, StrEnumColumn, UtcDateTime, metadata
from onboarding.domain.terminals import DepositState, PaymentChannel, TerminalState, TransactionKind

terminals = Table(
    "terminals", metadata,
    Column("serial_number", String(40), primary_key=True),
    Column("model", String(40), nullable=False),
    Column("state", StrEnumColumn(TerminalState), nullable=False, index=True),
    # Unique: one terminal per application, whatever two concurrent assignments try.
    Column("application_id", String(24), ForeignKey("applications.id"), unique=True),
    Column("added_at", UtcDateTime(), nullable=False),
    Column("assigned_at", UtcDateTime()),
    Column("shipped_at", UtcDateTime()),
    Column("activation_deadline", UtcDateTime()),
    Column("activation_flagged_at", UtcDateTime()),
    Column("activated_at", UtcDateTime()),
    Column("last_transaction_at", UtcDateTime()),
    Column("suspended_at", UtcDateTime()),
    Column("merchant_code", String(24)),
    Column("registration_number", EncryptedText()),  # 小微: the principal's ID number
    Column("settlement_account", EncryptedText()),
    Column("install_address", String(400)),
    Column("bound_at", UtcDateTime()),
    Column("sweep_id", String(32)),
    # All its transactions' amounts added up, and the largest: kept by import and void, so checking the ceilings
    # (ledger_rules_sql.quarantine_reason) needs no sum over the terminal's rows.
    Column("gross_fen", BigInteger, nullable=False, default=0, server_default="0"),
    Column("largest_fen", BigInteger, nullable=False, default=0, server_default="0"),
    Column("quarantined_at", UtcDateTime()),
    Column("quarantine_reason", Text),
)

import_batches = Table(
    "import_batches", metadata,
    Column("id", String(24), primary_key=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("source", String(1000), nullable=False),
    Column("imported_at", UtcDateTime(), nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("new_count", Integer, nullable=False),
    Column("voided_at", UtcDateTime()),
    Column("voided_by", String(64)),
    Column("void_reason", Text),
)

transactions = Table(
    "transactions", metadata,
    Column("txn_id", String(64), primary_key=True),
    Column("terminal_sn", String(40), ForeignKey("terminals.serial_number"), nullable=False),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("kind", StrEnumColumn(TransactionKind), nullable=False),
    Column("channel", StrEnumColumn(PaymentChannel), nullable=False),
    Column("batch_id", String(24), ForeignKey("import_batches.id"), nullable=False, index=True),
)
# Every sweep question is "this terminal's transactions in a time range"; the trailing columns let
# PostgreSQL answer it from the index alone.
Index("ix_transactions_terminal_time", transactions.c.terminal_sn, transactions.c.occurred_at,
      transactions.c.kind, transactions.c.channel, transactions.c.amount_fen)

# The rows of voided batches, moved out of `transactions` (so their txn ids can come again, corrected) but kept.
voided_transactions = Table(
    "voided_transactions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("txn_id", String(64), nullable=False),
    Column("terminal_sn", String(40), nullable=False, index=True),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("kind", StrEnumColumn(TransactionKind), nullable=False),
    Column("channel", StrEnumColumn(PaymentChannel), nullable=False),
    Column("batch_id", String(24), ForeignKey("import_batches.id"), nullable=False, index=True),
)

deposits = Table(
    "deposits", metadata,
    Column("application_id", String(24), ForeignKey("applications.id"), primary_key=True),
    Column("terminal_sn", String(40), ForeignKey("terminals.serial_number"), nullable=False, index=True),
    Column("amount_fen", BigInteger, nullable=False),
    Column("threshold_fen", BigInteger, nullable=False),
    Column("window_days", Integer, nullable=False),
    Column("policy_version", String(64), nullable=False),
    Column("state", StrEnumColumn(DepositState), nullable=False, index=True),
    Column("taken_at", UtcDateTime(), nullable=False),
    Column("window_starts_at", UtcDateTime()),  # the terminal's activation
    Column("deadline", UtcDateTime()),
    Column("qualifying_volume_fen", BigInteger, nullable=False),
    Column("volume_as_of", UtcDateTime()),
    Column("decided_at", UtcDateTime()),
    Column("refund_idempotency_key", String(64), unique=True),
    Column("sweep_id", String(32)),
)

refund_instructions = Table(
    "refund_instructions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # The last line of defence against a second refund: the database refuses the row.
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("application_id", String(24), ForeignKey("applications.id"), nullable=False, index=True),
    Column("terminal_sn", String(40), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    # Encrypted like the application columns they are copied from (INSERT … SELECT copies the token).
    Column("holder_name", EncryptedText(), nullable=False),
    Column("account_number", EncryptedText(), nullable=False),
    Column("bank_name", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime()),
)
