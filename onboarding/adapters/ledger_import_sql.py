"""A transaction batch goes through a temporary staging table: bulk-loaded, checked against the ledger with
a few set-based queries (unknown or unshipped terminals, rows dated before shipping, repeated or conflicting
txn ids, terminals pushed over their ceiling), then copied in with one INSERT … SELECT that skips txn ids
already imported. Nothing reaches `transactions` if any check fails.
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
    bindparam,
    case,
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
from onboarding.domain.terminals import TerminalState

STAGING_COLUMNS = ("line", "txn_id", "terminal_sn", "occurred_at", "amount_fen", "kind", "channel")
NOT_SHIPPED = (str(TerminalState.IN_STOCK), str(TerminalState.ASSIGNED))

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

    def problems(self, limit: int, max_terminal_fen: int, batch_fen: dict[str, int]) -> tuple[list[Problem], int]:
        """Up to `limit` problems per kind, and how many there are in all. `batch_fen`: each terminal's rows in
        this batch added up (by the caller, in Python) — a first, cheap look at the per-terminal ceiling."""
        if self._dialect == "postgresql":
            self.session.execute(text(f"ANALYZE {staging.name}"))  # temp tables get no autovacuum statistics
            self._lock_terminals()
        found: list[Problem] = []
        total = 0
        checks = [self._terminal_problems(), self._repeated_ids(), self._conflicting_ids()]
        if near := self._near_ceiling(max_terminal_fen, batch_fen):
            checks.append(self._over_terminal_ceiling(max_terminal_fen, near))
        for query, describe in checks:
            rows = self.session.execute(query.limit(limit)).all()
            found.extend((row[0], describe(row)) for row in rows)
            # Counted only when there may be more than were listed (a clean batch: one pass per check).
            total += len(rows) if len(rows) < limit else self.session.execute(
                select(func.count()).select_from(query.subquery())).scalar_one()
        return sorted(found), total

    def _lock_terminals(self) -> None:
        """Row locks on the batch's terminals until commit: a concurrent batch for the same terminals waits, then
        sees these rows, so neither counts the other's rows in the terminals' gross amounts."""
        self.session.execute(
            select(terminals.c.serial_number)
            .where(terminals.c.serial_number.in_(select(staging.c.terminal_sn)))
            .order_by(terminals.c.serial_number).with_for_update())

    def _terminal_problems(self):
        """Rows for a terminal that is not in inventory, not shipped, or had not shipped yet at that time."""
        t = terminals.c
        query = (select(staging.c.line, staging.c.terminal_sn, t.serial_number, t.state, t.shipped_at)
                 .join_from(staging, terminals, t.serial_number == staging.c.terminal_sn, isouter=True)
                 .where(or_(t.serial_number.is_(None), t.state.in_(NOT_SHIPPED), staging.c.occurred_at < t.shipped_at))
                 .order_by(staging.c.line))

        def describe(row) -> str:
            if row.serial_number is None:
                return f"terminal_sn: unknown terminal {row.terminal_sn!r}"
            if row.state in NOT_SHIPPED:
                return f"terminal_sn: terminal {row.terminal_sn} is {row.state}, not shipped: it cannot take payments"
            return f"occurred_at: before terminal {row.terminal_sn} shipped ({row.shipped_at.isoformat()})"

        return query, describe

    def _near_ceiling(self, max_terminal_fen: int, batch_fen: dict[str, int]) -> list[str]:
        """The terminals this batch might take over the ceiling: what they have plus all their rows here is above
        it. Usually none, and then the exact check (which leaves out rows already imported) is not needed."""
        if not batch_fen:
            return []
        reach = max(max_terminal_fen - max(batch_fen.values()), -1)
        gross = self.session.execute(select(terminals.c.serial_number, terminals.c.gross_fen)
                                     .where(terminals.c.gross_fen > reach))
        return [sn for sn, fen in gross if sn in batch_fen and fen + batch_fen[sn] > max_terminal_fen]

    def _over_terminal_ceiling(self, max_terminal_fen: int, near: list[str]):
        """Rows from which a terminal's gross amount (what it has plus this batch's new rows, in file order) is
        above the ceiling. Compared as `running > ceiling - gross`, so no sum can overflow."""
        new = ~exists().where(transactions.c.txn_id == staging.c.txn_id)
        running = (select(staging.c.line, staging.c.terminal_sn,
                          func.sum(staging.c.amount_fen).over(partition_by=staging.c.terminal_sn,
                                                              order_by=staging.c.line).label("running"))
                   .where(new, staging.c.terminal_sn.in_(near)).subquery())
        query = (select(running.c.line, running.c.terminal_sn, running.c.running, terminals.c.gross_fen)
                 .join(terminals, terminals.c.serial_number == running.c.terminal_sn)
                 .where(running.c.running > literal(max_terminal_fen, BigInteger) - terminals.c.gross_fen)
                 .order_by(running.c.line))
        return query, lambda row: (f"amount_fen: takes terminal {row[1]} to {row[2] + row[3]} fen in all, above "
                                   f"the per-terminal ceiling of {max_terminal_fen} fen")

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
        self._update_terminals(batch_id)
        return added

    def _update_terminals(self, batch_id: str) -> None:
        """Gross amount, largest and latest transaction of each terminal this batch added rows to."""
        shares = BatchShares(self.session, batch_id)
        shares.added()
        shares.close()

    def close(self) -> None:
        self.session.execute(text(f"DROP TABLE IF EXISTS {staging.name}"))


# Each terminal's share of one batch, added up once (a correlated sum per terminal would rescan the batch).
batch_shares = Table(
    "ledger_batch_shares", _scratch,
    Column("terminal_sn", String(40), primary_key=True),
    Column("fen", BigInteger, nullable=False),
    Column("largest_fen", BigInteger, nullable=False),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)


class BatchShares:
    """The terminals a batch's rows in the ledger belong to, with their rows added up: what an import adds to
    their gross amounts and largest transactions."""

    def __init__(self, session: Session, batch_id: str) -> None:
        self.session = session
        connection = session.connection()
        connection.execute(text(f"DROP TABLE IF EXISTS {batch_shares.name}"))
        batch_shares.create(connection)
        t = transactions.c
        session.execute(batch_shares.insert().from_select(
            ["terminal_sn", "fen", "largest_fen"],
            select(t.terminal_sn, func.sum(t.amount_fen), func.max(t.amount_fen))
            .where(t.batch_id == batch_id).group_by(t.terminal_sn)))

    def serial_numbers(self):
        return select(batch_shares.c.terminal_sn)

    def _share(self, column):
        return select(column).where(batch_shares.c.terminal_sn == terminals.c.serial_number).scalar_subquery()

    def added(self) -> None:
        """After the rows went in. Sums stay in range: the import refused rows that take a terminal over its
        ceiling, and the ceiling is at most 2**62."""
        share, largest = self._share(batch_shares.c.fen), self._share(batch_shares.c.largest_fen)
        self.session.execute(update(terminals).where(terminals.c.serial_number.in_(self.serial_numbers())).values(
            gross_fen=terminals.c.gross_fen + share,
            largest_fen=case((largest > terminals.c.largest_fen, largest), else_=terminals.c.largest_fen),
            last_transaction_at=self._latest()))

    @staticmethod
    def _latest():
        return (select(func.max(transactions.c.occurred_at))
                .where(transactions.c.terminal_sn == terminals.c.serial_number).scalar_subquery())

    def close(self) -> None:
        self.session.execute(text(f"DROP TABLE IF EXISTS {batch_shares.name}"))


# Rows up to this many fen cannot overflow a sum of fewer than nine million of them: those are added up in SQL,
# larger ones (only rows from before the ceilings can be) in Python.
SQL_SAFE_FEN = 10**12
BIGINT_MAX = 2**63 - 1


def totals_by_terminal(session: Session, where) -> dict[str, tuple[int, int, int]]:
    """serial number → (rows, fen added up, largest fen) over the transactions matching `where`, without
    overflow whatever the rows hold."""
    t = transactions.c
    safe = case((t.amount_fen <= SQL_SAFE_FEN, t.amount_fen), else_=0)
    totals = {sn: [rows, int(fen or 0), int(largest)] for sn, rows, fen, largest in session.execute(
        select(t.terminal_sn, func.count(), func.sum(safe), func.max(t.amount_fen)).where(where)
        .group_by(t.terminal_sn))}
    for serial_number, amount in session.execute(select(t.terminal_sn, t.amount_fen)
                                                 .where(where, t.amount_fen > SQL_SAFE_FEN)):
        totals[serial_number][1] += amount
    return {sn: (rows, fen, largest) for sn, (rows, fen, largest) in totals.items()}


def recount_terminals(session: Session, serial_numbers) -> None:
    """Gross amount (capped at the column's maximum), largest and latest transaction of the terminals
    `serial_numbers` (a subquery) selects, from the rows they have now (after a void took some away)."""
    t = transactions.c
    totals = totals_by_terminal(session, t.terminal_sn.in_(serial_numbers))
    latest = (select(func.max(t.occurred_at)).where(t.terminal_sn == terminals.c.serial_number).scalar_subquery())
    rows = [{"sn": sn, "gross": min(totals.get(sn, (0, 0, 0))[1], BIGINT_MAX), "largest": totals.get(sn, (0, 0, 0))[2]}
            for sn in session.execute(select(terminals.c.serial_number).where(
                terminals.c.serial_number.in_(serial_numbers))).scalars()]
    if rows:
        session.execute(update(terminals).where(terminals.c.serial_number == bindparam("sn")).values(
            gross_fen=bindparam("gross"), largest_fen=bindparam("largest"), last_transaction_at=latest), rows)
