"""What staff look at and correct in the ledger: a terminal's transactions with what each did to its deposit
(the sweep's own rules, `ledger_rules_sql`), quarantined terminals, import batches, and voiding one.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, false, func, insert, literal, select, update
from sqlalchemy.orm import Session

from onboarding.adapters.ledger_import_sql import recount_terminals, totals_by_terminal
from onboarding.adapters.ledger_rules_sql import activates, contribution, net_volume, signed_amount, sql_time
from onboarding.adapters.ledger_tables import deposits, import_batches, terminals, transactions, voided_transactions
from onboarding.domain.ledger_rules import Reason
from onboarding.domain.terminals import DepositState
from rules.deposit_policy import DepositPolicy

T, D, X, B, V = terminals.c, deposits.c, transactions.c, import_batches.c, voided_transactions.c
TRANSACTION_COLUMNS = ("txn_id", "terminal_sn", "occurred_at", "amount_fen", "kind", "channel", "batch_id")


class LedgerReviewSql:
    def __init__(self, session: Session) -> None:
        self.session = session

    # ---- one terminal's transactions, explained ------------------------------------------------

    def explained_transactions(self, serial_number: str, policy: DepositPolicy | None,
                               window_start: datetime | None, deadline: datetime | None,
                               as_of: datetime) -> list[dict[str, Any]]:
        """Every transaction of the terminal, oldest first, with the reason code the deposit rules give it,
        what it adds to the volume (fen, signed) and whether it is the one that activated the terminal.
        Without a policy for the terminal's model nothing counts (`no_policy`)."""
        start = sql_time(window_start) if window_start else literal(None, T.activated_at.type)
        end = sql_time(deadline or as_of)
        if policy is None:
            judged = (literal(Reason.NO_POLICY.value), literal(0), false())
        else:
            judged = (contribution(policy, start, end, as_of), signed_amount(policy, start, end, as_of),
                      and_(X.occurred_at == T.activated_at,
                           activates(policy, T.shipped_at, T.activation_deadline, T.activated_at)))
        rows = self.session.execute(
            select(*(X[name] for name in TRANSACTION_COLUMNS), judged[0].label("reason"),
                   judged[1].label("signed_fen"), judged[2].label("activated_terminal"))
            .join_from(transactions, terminals, T.serial_number == X.terminal_sn)
            .where(X.terminal_sn == serial_number).order_by(X.occurred_at, X.txn_id)).mappings()
        return [{**row, "activated_terminal": bool(row["activated_terminal"])} for row in rows]

    def voided_transactions_of(self, serial_number: str) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(*(V[name] for name in TRANSACTION_COLUMNS), B.voided_at, B.voided_by, B.void_reason)
            .join_from(voided_transactions, import_batches, B.id == V.batch_id)
            .where(V.terminal_sn == serial_number).order_by(V.occurred_at, V.txn_id)).mappings()
        return [dict(row) for row in rows]

    # ---- quarantine --------------------------------------------------------------------------------

    def quarantined_terminals(self) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(T.serial_number, T.model, T.state, T.application_id, T.quarantined_at, T.quarantine_reason,
                   T.gross_fen, T.largest_fen)
            .where(T.quarantined_at.is_not(None)).order_by(T.quarantined_at, T.serial_number)).mappings()
        return [dict(row) for row in rows]

    # ---- batches -----------------------------------------------------------------------------------

    def batches(self, limit: int) -> list[dict[str, Any]]:
        """The newest batches first, with how many of their rows are in the ledger now."""
        in_ledger = select(func.count()).where(X.batch_id == B.id).scalar_subquery()
        rows = self.session.execute(
            select(B.id, B.source, B.sha256, B.imported_at, B.row_count, B.new_count, B.voided_at, B.voided_by,
                   B.void_reason, in_ledger.label("in_ledger"))
            .order_by(B.imported_at.desc(), B.id.desc()).limit(limit)).mappings()
        return [dict(row) for row in rows]

    def batch(self, batch_id: str) -> dict[str, Any] | None:
        """The batch row, locked until commit (PostgreSQL; SQLite has one writer)."""
        row = self.session.execute(select(import_batches).where(B.id == batch_id).with_for_update()).mappings().first()
        return None if row is None else dict(row)

    def void_batch(self, batch_id: str, at: datetime, actor: str, reason: str) -> list[dict[str, Any]]:
        """Moves the batch's rows out of the ledger into `voided_transactions`, takes them off their terminals'
        gross amounts, marks the batch voided. Returns each terminal it touched: its application, the rows and
        fen taken off."""
        totals = totals_by_terminal(self.session, X.batch_id == batch_id)  # while the rows are still there
        owners = {sn: (application_id, model) for sn, application_id, model in self.session.execute(
            select(T.serial_number, T.application_id, T.model)
            .where(T.serial_number.in_(self._terminals_of(batch_id))))}
        touched = [{"terminal_sn": sn, "application_id": owners[sn][0], "model": owners[sn][1], "rows": rows,
                    "fen": fen} for sn, (rows, fen, _) in sorted(totals.items())]
        rows = select(*(X[name] for name in TRANSACTION_COLUMNS)).where(X.batch_id == batch_id)
        self.session.execute(insert(voided_transactions).from_select(list(TRANSACTION_COLUMNS), rows))
        self.session.execute(delete(transactions).where(X.batch_id == batch_id))
        recount_terminals(self.session, self._voided_terminals_of(batch_id))
        self.session.execute(update(import_batches).where(B.id == batch_id)
                             .values(voided_at=at, voided_by=actor, void_reason=reason))
        return touched

    @staticmethod
    def _terminals_of(batch_id: str):
        return select(X.terminal_sn).where(X.batch_id == batch_id).distinct()

    @staticmethod
    def _voided_terminals_of(batch_id: str):
        return select(V.terminal_sn).where(V.batch_id == batch_id).distinct()

    def recount_held(self, batch_id: str, model: str, policy: DepositPolicy) -> list[dict[str, Any]]:
        """Counts the held deposits of the voided batch's terminals of `model` again, up to the same moment as
        before (`volume_as_of`); returns each one's volume before and after."""
        held = and_(D.state == str(DepositState.HELD), D.deadline.is_not(None), D.volume_as_of.is_not(None),
                    D.terminal_sn.in_(self._voided_terminals_of(batch_id)),
                    D.terminal_sn.in_(select(T.serial_number).where(T.model == model)))
        before = dict(self.session.execute(select(D.application_id, D.qualifying_volume_fen).where(held)).all())
        self.session.execute(update(deposits).where(held).values(
            qualifying_volume_fen=net_volume(policy, D.terminal_sn, D.window_starts_at, D.deadline, D.volume_as_of)))
        after = self.session.execute(select(D.application_id, D.terminal_sn, D.qualifying_volume_fen).where(held)
                                     .order_by(D.terminal_sn))
        return [{"application_id": application_id, "terminal_sn": serial_number,
                 "volume_before_fen": before[application_id], "volume_after_fen": volume}
                for application_id, serial_number, volume in after]

    def decided_on_voided_rows(self, batch_id: str) -> list[dict[str, Any]]:
        """Deposits already refunded or forfeited whose window held rows of this (voided) batch dated before the
        decision: decided on a volume that is not what the ledger holds now (reconciliation shows the gap)."""
        in_window = exists().where(V.batch_id == batch_id, V.terminal_sn == D.terminal_sn,
                                   V.occurred_at >= D.window_starts_at, V.occurred_at < D.deadline,
                                   V.occurred_at <= D.volume_as_of)
        rows = self.session.execute(
            select(D.application_id, D.terminal_sn, D.state, D.qualifying_volume_fen, D.decided_at)
            .where(D.state != str(DepositState.HELD), in_window).order_by(D.terminal_sn)).mappings()
        return [dict(row) for row in rows]

    def activated_by_voided_rows(self, batch_id: str, model: str, policy: DepositPolicy) -> list[str]:
        """The voided batch's terminals of `model` whose activating transaction was in it: no transaction left
        in the ledger activates them at the time they were activated."""
        still = exists().where(X.terminal_sn == T.serial_number, X.occurred_at == T.activated_at,
                               activates(policy, T.shipped_at, T.activation_deadline, T.activated_at))
        return list(self.session.execute(
            select(T.serial_number).where(T.serial_number.in_(self._voided_terminals_of(batch_id)), T.model == model,
                                          T.activated_at.is_not(None), ~still).order_by(T.serial_number)).scalars())
