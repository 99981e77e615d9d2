"""`uow.ledger`: terminals, deposits, import batches and refund instructions, row by row where a use case
needs one aggregate, and the set-based import and sweep (`ledger_import_sql`, `ledger_sweep_sql`) for bulk;
`.report` and `.review` for the deposits report and what staff look at and correct.

Plain Core mapping (rows ⇄ dataclasses): every write of a terminal is conditional on the state it was
read in, so a concurrent change surfaces as `LedgerConflict` instead of being overwritten.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from onboarding.adapters.ledger_import_sql import TransactionStaging
from onboarding.adapters.ledger_report_sql import LedgerReportSql
from onboarding.adapters.ledger_review_sql import LedgerReviewSql
from onboarding.adapters.ledger_sweep_sql import LedgerSweepSql
from onboarding.adapters.ledger_tables import deposits, import_batches, refund_instructions, terminals
from onboarding.adapters.orm import audit_events
from onboarding.adapters.outbox import insert_new_messages
from onboarding.domain.notifications import OutboxMessage
from onboarding.domain.terminals import Binding, Deposit, LedgerError, Terminal, TerminalState

_BINDING_COLUMNS = ("merchant_code", "registration_number", "settlement_account", "install_address")
_TERMINAL_FIELDS = ("serial_number", "model", "added_at", "state", "application_id", "assigned_at", "shipped_at",
                    "activation_deadline", "activation_flagged_at", "activated_at", "last_transaction_at",
                    "suspended_at", "bound_at", "gross_fen", "largest_fen", "quarantined_at", "quarantine_reason")
_DEPOSIT_FIELDS = ("application_id", "terminal_sn", "amount_fen", "threshold_fen", "window_days", "policy_version",
                   "taken_at", "state", "window_starts_at", "deadline", "qualifying_volume_fen", "volume_as_of",
                   "decided_at", "refund_idempotency_key")


class LedgerConflict(LedgerError):
    """The row changed between reading and writing it (another process got there first)."""


def _terminal(row: Any) -> Terminal:
    terminal = Terminal(**{name: row[name] for name in _TERMINAL_FIELDS})
    if row["merchant_code"] is not None:
        terminal.binding = Binding(serial_number=row["serial_number"],
                                   **{name: row[name] for name in _BINDING_COLUMNS})
    return terminal


def _terminal_values(terminal: Terminal) -> dict[str, Any]:
    values = {name: getattr(terminal, name) for name in _TERMINAL_FIELDS}
    binding = terminal.binding
    values.update({name: getattr(binding, name) if binding else None for name in _BINDING_COLUMNS})
    return values


def _deposit(row: Any) -> Deposit:
    return Deposit(**{name: row[name] for name in _DEPOSIT_FIELDS})


class LedgerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.sweep = LedgerSweepSql(session)
        self.report = LedgerReportSql(session)
        self.review = LedgerReviewSql(session)

    # ---- terminals ---------------------------------------------------------------------------

    def get_terminal(self, serial_number: str) -> Terminal | None:
        row = self.session.execute(
            select(terminals).where(terminals.c.serial_number == serial_number)).mappings().first()
        return None if row is None else _terminal(row)

    def terminal_for_application(self, application_id: str) -> Terminal | None:
        row = self.session.execute(
            select(terminals).where(terminals.c.application_id == application_id)).mappings().first()
        return None if row is None else _terminal(row)

    def existing_terminals(self, serial_numbers: Iterable[str]) -> dict[str, str]:
        """serial number → model, for those of the given serial numbers that are already in inventory."""
        found: dict[str, str] = {}
        wanted = list(dict.fromkeys(serial_numbers))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            found.update(self.session.execute(
                select(terminals.c.serial_number, terminals.c.model).where(terminals.c.serial_number.in_(chunk))).all())
        return found

    def add_terminals(self, new_terminals: list[Terminal]) -> None:
        if new_terminals:
            self.session.execute(insert(terminals), [_terminal_values(t) for t in new_terminals])

    def save_terminal(self, terminal: Terminal, *, was: TerminalState) -> None:
        result = self.session.execute(
            update(terminals)
            .where(terminals.c.serial_number == terminal.serial_number, terminals.c.state == str(was))
            .values(**_terminal_values(terminal)))
        if result.rowcount != 1:
            raise LedgerConflict(f"terminal {terminal.serial_number} changed while it was being updated; try again")

    def in_stock(self, model: str) -> bool:
        return self.session.execute(
            select(terminals.c.serial_number)
            .where(terminals.c.state == str(TerminalState.IN_STOCK), terminals.c.model == model).limit(1)
        ).first() is not None

    def claim_terminal(self, model: str, application_id: str, at: datetime, attempts: int = 5) -> str | None:
        """Marks the oldest in-stock terminal of `model` assigned to the application; None when none is left."""
        for _ in range(attempts):
            candidate = self.session.execute(
                select(terminals.c.serial_number)
                .where(terminals.c.state == str(TerminalState.IN_STOCK), terminals.c.model == model)
                .order_by(terminals.c.added_at, terminals.c.serial_number).limit(1)
                .with_for_update(skip_locked=True)).scalar()
            if candidate is None:
                return None
            claimed = self.session.execute(
                update(terminals)
                .where(terminals.c.serial_number == candidate, terminals.c.state == str(TerminalState.IN_STOCK))
                .values(state=str(TerminalState.ASSIGNED), application_id=application_id, assigned_at=at))
            if claimed.rowcount == 1:
                return candidate
        raise LedgerConflict(f"could not claim a {model} terminal: others kept taking them; try again")

    # ---- deposits ----------------------------------------------------------------------------

    def deposit_for(self, application_id: str) -> Deposit | None:
        row = self.session.execute(
            select(deposits).where(deposits.c.application_id == application_id)).mappings().first()
        return None if row is None else _deposit(row)

    def add_deposit(self, deposit: Deposit) -> None:
        self.session.execute(insert(deposits).values(
            **{name: getattr(deposit, name) for name in _DEPOSIT_FIELDS}, sweep_id=None))

    def refund_instructions_for(self, application_id: str) -> list[dict[str, Any]]:
        rows = self.session.execute(select(refund_instructions).where(
            refund_instructions.c.application_id == application_id).order_by(refund_instructions.c.id)).mappings()
        return [dict(r) for r in rows]

    # ---- transaction batches -----------------------------------------------------------------

    def batch_with_sha256(self, sha256: str) -> dict[str, Any] | None:
        row = self.session.execute(select(import_batches).where(import_batches.c.sha256 == sha256)).mappings().first()
        return None if row is None else dict(row)

    def add_batch(self, batch_id: str, sha256: str, source: str, at: datetime, row_count: int) -> None:
        self.session.execute(insert(import_batches).values(
            id=batch_id, sha256=sha256, source=source[-1000:], imported_at=at, row_count=row_count, new_count=0))

    def record_batch_result(self, batch_id: str, new_count: int) -> None:
        self.session.execute(update(import_batches).where(import_batches.c.id == batch_id).values(new_count=new_count))

    def staging(self) -> TransactionStaging:
        """A scratch table for one batch: rows are checked against the ledger there before any is imported."""
        return TransactionStaging(self.session)

    # ---- audit and outbox --------------------------------------------------------------------

    def add_events(self, events: list[dict[str, Any]]) -> None:
        """Audit events as built by `domain.model.audit_fields`, for applications not loaded as aggregates."""
        if events:
            self.session.execute(insert(audit_events), events)

    def enqueue_new(self, messages: list[OutboxMessage]) -> None:
        insert_new_messages(self.session, messages)
