"""The ledger sweep's reads and writes in bulk. `candidates` reads a batch of terminals a rule may apply to, with
their held deposits and transactions; the rules (`onboarding.domain.ledger_rules`) decide for each; `write`
puts the answers down set-based: the changed terminals and deposits go into scratch tables, then one statement
per table updates the ledger from them, each row only if it is still as the batch read it.

On PostgreSQL the batch's terminals are locked as they are read (another sweep skips them); on SQLite the
batch takes the write lock before reading. A row changed meanwhile all the same makes the batch roll back
and be read again, so each activation, refund, forfeit and suspension happens once however many sweeps run.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session

from onboarding.adapters.columns import UtcDateTime
from onboarding.adapters.ledger_tables import deposits, refund_instructions, terminals, transactions
from onboarding.adapters.orm import applications, audit_events
from onboarding.domain.ledger_rules import SweepOutcome, TerminalFacts
from onboarding.domain.states import ApplicationState, can_transition
from onboarding.domain.terminals import Deposit, DepositState, Terminal, TerminalState, Transaction

T, D, X, A = terminals.c, deposits.c, transactions.c, applications.c
HELD, SHIPPED, ACTIVE = str(DepositState.HELD), str(TerminalState.SHIPPED), str(TerminalState.ACTIVE)
assert can_transition(ApplicationState.SHIPPED, ApplicationState.ACTIVE)  # the only transition done in bulk here

TERMINAL_FIELDS = ("serial_number", "model", "state", "application_id", "added_at", "assigned_at", "shipped_at",
                   "activation_deadline", "activation_flagged_at", "activated_at", "last_transaction_at",
                   "suspended_at", "bound_at", "gross_fen", "ledger_revision", "quarantined_at", "quarantine_reason")
DEPOSIT_FIELDS = ("application_id", "terminal_sn", "amount_fen", "threshold_fen", "window_days", "policy_version",
                  "taken_at", "state", "window_starts_at", "deadline", "qualifying_volume_fen", "volume_as_of",
                  "decided_at", "refund_idempotency_key", "volume_revision")
# What the sweep may change: it never writes a binding, a shipment or the import's columns.
SWEPT_TERMINAL_FIELDS = ("state", "activated_at", "bound_at", "activation_flagged_at", "suspended_at",
                         "quarantined_at", "quarantine_reason")
SWEPT_DEPOSIT_FIELDS = ("state", "window_starts_at", "deadline", "qualifying_volume_fen", "volume_as_of",
                        "volume_revision", "decided_at", "refund_idempotency_key")

# Per-connection scratch tables: not part of the schema migrations build.
_scratch = MetaData()
swept_terminals = Table(
    "ledger_swept_terminals", _scratch,
    Column("serial_number", String(40), primary_key=True),
    Column("application_id", String(24)),
    Column("was", String(32), nullable=False),
    Column("state", String(32), nullable=False),
    Column("activated_at", UtcDateTime()),
    Column("bound_at", UtcDateTime()),
    Column("activation_flagged_at", UtcDateTime()),
    Column("suspended_at", UtcDateTime()),
    Column("quarantined_at", UtcDateTime()),
    Column("quarantine_reason", Text),
    prefixes=["TEMPORARY"], postgresql_on_commit="DROP",
)
swept_deposits = Table(
    "ledger_swept_deposits", _scratch,
    Column("application_id", String(24), primary_key=True),
    Column("state", String(32), nullable=False),
    Column("window_starts_at", UtcDateTime()),
    Column("deadline", UtcDateTime()),
    Column("qualifying_volume_fen", BigInteger, nullable=False),
    Column("volume_as_of", UtcDateTime()),
    Column("volume_revision", Integer),
    Column("decided_at", UtcDateTime()),
    Column("refund_idempotency_key", String(64)),
    prefixes=["TEMPORARY"], postgresql_on_commit="DROP",
)
S, SD = swept_terminals.c, swept_deposits.c


class LedgerChangedMeanwhile(RuntimeError):
    """A terminal or deposit of the batch was changed by someone else after the batch read it."""


class LedgerSweepSql:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._dialect = session.get_bind().dialect.name

    # ---- reading ---------------------------------------------------------------------------------

    def candidates(self, as_of: datetime, after: str, limit: int,
                   awake_after: dict[str, datetime]) -> list[TerminalFacts]:
        """Terminals after serial number `after` that a rule may apply to at `as_of`: shipped (activation),
        with a held deposit whose window is open (its volume), quarantined (checked again), or active with no
        transaction after `awake_after[model]` (perhaps dormant). Locked until the batch commits."""
        if self._dialect == "sqlite":
            # One writer at a time: take the write lock first, so what is read here is still true at the write.
            self.session.execute(update(terminals).where(false()).values(state=T.state))
        held = and_(D.application_id == T.application_id, D.terminal_sn == T.serial_number, D.state == HELD)
        perhaps_dormant = or_(false(), *(
            and_(T.model == model, T.activated_at <= bound,
                 ~exists().where(X.terminal_sn == T.serial_number, X.occurred_at > bound, X.occurred_at <= as_of))
            for model, bound in awake_after.items()))
        last_seen = (select(func.max(X.occurred_at))
                     .where(X.terminal_sn == T.serial_number, X.occurred_at <= as_of).scalar_subquery())
        query = (
            select(*(T[name] for name in TERMINAL_FIELDS),
                   *(D[name].label(f"deposit_{name}") for name in DEPOSIT_FIELDS), last_seen.label("last_seen"))
            .join_from(terminals, deposits, held, isouter=True)
            .where(T.serial_number > after,
                   or_(T.state == SHIPPED, D.deadline.is_not(None), T.quarantined_at.is_not(None),
                       and_(T.state == ACTIVE, perhaps_dormant)))
            .order_by(T.serial_number).limit(limit)
            .with_for_update(of=terminals, skip_locked=True)
        )
        facts = [self._facts(row) for row in self.session.execute(query).mappings()]
        needing = {f.terminal.serial_number: f for f in facts if _needs_transactions(f)}
        for serial_number, found in read_transactions(self.session, list(needing), as_of).items():
            needing[serial_number].transactions = found
        return facts

    @staticmethod
    def _facts(row) -> TerminalFacts:
        terminal = Terminal(**{name: row[name] for name in TERMINAL_FIELDS})
        deposit = (Deposit(**{name: row[f"deposit_{name}"] for name in DEPOSIT_FIELDS})
                   if row["deposit_application_id"] is not None else None)
        return TerminalFacts(terminal=terminal, deposit=deposit, transactions=[], last_seen=row["last_seen"])

    # ---- writing ---------------------------------------------------------------------------------

    def write(self, outcomes: list[SweepOutcome], sweep_id: str, as_of: datetime) -> None:
        changed = [o for o in outcomes if o.terminal_changed]
        counted = [o for o in outcomes if o.deposit_changed]
        events = [event for o in outcomes for event in o.events]
        if changed:
            self._write_terminals(changed, sweep_id, as_of)
        if counted:
            self._write_deposits(counted, sweep_id, as_of)
        if events:
            self.session.execute(insert(audit_events), events)

    def _write_terminals(self, changed: list[SweepOutcome], sweep_id: str, as_of: datetime) -> None:
        self._scratch(swept_terminals, [
            {"serial_number": o.terminal.serial_number, "application_id": o.terminal.application_id, "was": str(o.was),
             **{name: getattr(o.terminal, name) for name in SWEPT_TERMINAL_FIELDS},
             "state": str(o.terminal.state)} for o in changed])
        written = self._run(update(terminals).where(T.serial_number == S.serial_number, T.state == S.was)
                            .values(sweep_id=sweep_id, **{name: S[name] for name in SWEPT_TERMINAL_FIELDS}))
        if written != len(changed):
            raise LedgerChangedMeanwhile(f"{len(changed) - written} terminal(s) changed meanwhile")
        activated = select(S.application_id).where(S.was == SHIPPED, S.state == ACTIVE)
        # version + 1 so an application loaded before the sweep cannot be written back over this.
        self._run(update(applications)
                  .where(A.state == str(ApplicationState.SHIPPED), A.id.in_(activated))
                  .values(state=str(ApplicationState.ACTIVE), state_changed_at=as_of, version=A.version + 1))
        self.session.execute(text(f"DROP TABLE {swept_terminals.name}"))

    def _write_deposits(self, counted: list[SweepOutcome], sweep_id: str, as_of: datetime) -> None:
        self._scratch(swept_deposits, [
            {"application_id": o.deposit.application_id, **{name: getattr(o.deposit, name) for name in
                                                            SWEPT_DEPOSIT_FIELDS}, "state": str(o.deposit.state)}
            for o in counted])
        written = self._run(update(deposits).where(D.application_id == SD.application_id, D.state == HELD)
                            .values(sweep_id=sweep_id, **{name: SD[name] for name in SWEPT_DEPOSIT_FIELDS}))
        if written != len(counted):
            raise LedgerChangedMeanwhile(f"{len(counted) - written} deposit(s) changed meanwhile")
        # To the settlement account on file: the same-name account the application was approved with. The
        # instruction's unique key is the last line of defence against a second refund.
        refunded = select(SD.application_id).where(SD.state == str(DepositState.REFUNDED))
        self._run(insert(refund_instructions).from_select(
            ["idempotency_key", "application_id", "terminal_sn", "amount_fen", "holder_name", "account_number",
             "bank_name", "created_at"],
            select(D.refund_idempotency_key, D.application_id, D.terminal_sn, D.amount_fen,
                   A.settlement_holder_name, A.settlement_number, A.settlement_bank, literal(as_of, UtcDateTime()))
            .join_from(deposits, applications, A.id == D.application_id)
            .where(D.application_id.in_(refunded), D.state == str(DepositState.REFUNDED))))
        self.session.execute(text(f"DROP TABLE {swept_deposits.name}"))

    def decided_in(self, application_ids: list[str]) -> list[dict[str, Any]]:
        """What the notices need about each of these decided deposits."""
        if not application_ids:
            return []
        rows = self.session.execute(
            select(D.application_id, D.terminal_sn, D.state, D.amount_fen, D.threshold_fen, D.qualifying_volume_fen,
                   D.window_days, A.email, A.phone, A.settlement_number)
            .join_from(deposits, applications, A.id == D.application_id)
            .where(D.application_id.in_(application_ids), D.state != HELD)
            .order_by(D.application_id)).mappings()
        return [dict(r) for r in rows]

    def _scratch(self, table: Table, rows: list[dict[str, Any]]) -> None:
        connection = self.session.connection()
        connection.execute(text(f"DROP TABLE IF EXISTS {table.name}"))  # SQLite keeps temp tables per connection
        table.create(connection)
        self.session.execute(insert(table), rows)

    def _run(self, statement) -> int:
        # rowcount of an INSERT … SELECT is only kept when asked for; UPDATE's always is.
        return self.session.execute(statement.execution_options(preserve_rowcount=True)).rowcount

    # ---- counts ------------------------------------------------------------------------------------

    def overdue_activations(self) -> int:
        return self.session.execute(select(func.count()).where(
            T.state == SHIPPED, T.activation_flagged_at.is_not(None))).scalar_one()

    def quarantined(self) -> int:
        return self.session.execute(select(func.count()).where(T.quarantined_at.is_not(None))).scalar_one()


def read_transactions(session: Session, serial_numbers: list[str], until: datetime) -> dict[str, list[Transaction]]:
    """Each terminal's transactions at or before `until`, oldest first. Read as plain text and numbers: the column
    types' per-value conversion would cost more than the rules that read them."""
    found: dict[str, list[Transaction]] = {}
    if not serial_numbers:
        return found
    rows = session.execute(
        select(X.terminal_sn, X.txn_id, type_coerce(X.occurred_at, String), X.amount_fen,
               type_coerce(X.kind, String), type_coerce(X.channel, String))
        .where(X.terminal_sn.in_(serial_numbers), X.occurred_at <= until)
        .order_by(X.terminal_sn, X.occurred_at, X.txn_id))
    for serial_number, txn_id, occurred_at, amount_fen, kind, channel in rows:
        found.setdefault(serial_number, []).append(
            Transaction(txn_id, serial_number, _utc(occurred_at), amount_fen, kind, channel))
    return found


def _needs_transactions(facts: TerminalFacts) -> bool:
    """Activation and the deposit's volume look at transactions; dormancy only at the latest one."""
    return (facts.terminal.state == TerminalState.SHIPPED or facts.terminal.quarantined
            or (facts.deposit is not None and facts.deposit.deadline is not None))


def _utc(value: str | datetime) -> datetime:
    """SQLite returns stored timestamps as text ('YYYY-MM-DD HH:MM:SS.ffffff', naive UTC), psycopg as naive
    datetimes."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc)
