"""A transaction batch goes through a temporary staging table: bulk-loaded, checked against the ledger with
a few set-based queries (unknown terminals, repeated or conflicting txn ids), then copied in with one
INSERT … SELECT that skips txn ids already imported. Nothing reaches `transactions` if any check fails.
"""
from __future__ import annotations

from datetime import timezone
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from onboarding.adapters.columns import UtcDateTime
from onboarding.adapters.ledger_tables import terminals, transactions

STAGING_COLUMNS = ("line", "txn_id", "terminal_sn", "occurred_at", "amount_fen", "kind", "channel")

# Its own MetaData: a per-connection scratch table is not part of the schema migrations build.
_scratch = MetaData()
staging = Table(
    "ledger_txn_staging", _scratch,
    Column("line", Integer, nullable=False),
    Column("txn_id", String(64), nullable=False),
    Column("terminal_sn", String(40), nullable=False),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("channel", String(24), nullable=False),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)

Problem = tuple[int, str]  # (line number, what is wrong)


class TransactionStaging:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._dialect = session.get_bind().dialect.name
        connection = session.connection()
        # SQLite keeps temp tables for the pooled connection's life, even after a rollback.
        connection.execute(text(f"DROP TABLE IF EXISTS {staging.name}"))
        staging.create(connection)

    def add(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        if self._dialect == "postgresql":
            self._copy(rows)
        else:
            self.session.execute(staging.insert(), rows)

    def _copy(self, rows: list[dict[str, Any]]) -> None:
        # COPY is PostgreSQL's bulk path, several times faster than a pipelined executemany; it runs on
        # the session's own connection, so it is part of the same transaction.
        connection = self.session.connection().connection.dbapi_connection
        columns = ", ".join(STAGING_COLUMNS)
        with connection.cursor() as cursor, cursor.copy(f"COPY {staging.name} ({columns}) FROM STDIN") as copy:
            for row in rows:
                # naive UTC, as UtcDateTime stores it
                copy.write_row((row["line"], row["txn_id"], row["terminal_sn"],
                                row["occurred_at"].astimezone(timezone.utc).replace(tzinfo=None),
                                row["amount_fen"], row["kind"], row["channel"]))

    def problems(self, limit: int) -> tuple[list[Problem], int]:
        """Up to `limit` problems per kind, and how many there are in all."""
        if self._dialect == "postgresql":
            self.session.execute(text(f"ANALYZE {staging.name}"))  # temp tables get no autovacuum statistics
        found: list[Problem] = []
        total = 0
        for query, describe in (self._unknown_terminals(), self._repeated_ids(), self._conflicting_ids()):
            total += self.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
            found.extend((row[0], describe(row)) for row in self.session.execute(query.limit(limit)))
        return sorted(found), total

    def _unknown_terminals(self):
        known = exists().where(terminals.c.serial_number == staging.c.terminal_sn)
        query = select(staging.c.line, staging.c.terminal_sn).where(~known).order_by(staging.c.line)
        return query, lambda row: f"terminal_sn: unknown terminal {row[1]!r}"

    def _repeated_ids(self):
        query = (select(func.max(staging.c.line), staging.c.txn_id, func.min(staging.c.line))
                 .group_by(staging.c.txn_id).having(func.count() > 1).order_by(func.max(staging.c.line)))
        return query, lambda row: f"txn_id: {row[1]!r} repeats line {row[2]}"

    def _conflicting_ids(self):
        t = transactions.c
        differs = or_(t.terminal_sn != staging.c.terminal_sn, t.occurred_at != staging.c.occurred_at,
                      t.amount_fen != staging.c.amount_fen, t.kind != staging.c.kind, t.channel != staging.c.channel)
        query = (select(staging.c.line, staging.c.txn_id, t.batch_id)
                 .join(transactions, t.txn_id == staging.c.txn_id).where(differs).order_by(staging.c.line))
        return query, lambda row: f"txn_id: {row[1]!r} was imported (batch {row[2]}) with different values"

    def import_new(self, batch_id: str) -> int:
        """Copies staged rows whose txn id is new into the ledger; returns how many."""
        already = exists().where(transactions.c.txn_id == staging.c.txn_id)
        rows = select(staging.c.txn_id, staging.c.terminal_sn, staging.c.occurred_at, staging.c.amount_fen,
                      staging.c.kind, staging.c.channel, literal(batch_id)).where(~already)
        insert = (postgresql.insert if self._dialect == "postgresql" else sqlite.insert)(transactions)
        # ON CONFLICT: a concurrent import of an overlapping batch may commit the same ids first.
        statement = insert.from_select(
            ["txn_id", "terminal_sn", "occurred_at", "amount_fen", "kind", "channel", "batch_id"], rows,
        ).on_conflict_do_nothing(index_elements=["txn_id"])
        # rowcount of an INSERT is only kept when asked for (SQLAlchemy guarantees it for UPDATE/DELETE).
        added = self.session.execute(statement.execution_options(preserve_rowcount=True)).rowcount
        self._refresh_last_transaction_times()
        return added

    def _refresh_last_transaction_times(self) -> None:
        latest = (select(func.max(transactions.c.occurred_at))
                  .where(transactions.c.terminal_sn == terminals.c.serial_number).scalar_subquery())
        self.session.execute(
            update(terminals).where(terminals.c.serial_number.in_(select(staging.c.terminal_sn)))
            .values(last_transaction_at=latest))

    def close(self) -> None:
        self.session.execute(text(f"DROP TABLE IF EXISTS {staging.name}"))
