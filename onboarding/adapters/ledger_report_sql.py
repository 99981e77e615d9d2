"""Read-only queries for the deposits report: totals, the deposits a report must count again, and their
transactions. The counting itself is the domain's (`domain.ledger_rules`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, and_, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from onboarding.adapters.ledger_sweep_sql import DEPOSIT_FIELDS, HELD, D, T, X
from onboarding.adapters.ledger_tables import deposits, terminals
from onboarding.domain.terminals import Deposit


@dataclass(frozen=True)
class CountedDeposit:
    deposit: Deposit
    model: str  # the terminal's device model: its policy says what counts
    stale: bool  # its recorded volume may differ from a count now: transactions came, went or are newer


class LedgerReportSql:
    def __init__(self, session: Session) -> None:
        self.session = session

    def totals_by_state(self) -> dict[str, tuple[int, int]]:
        """deposit state → (count, total amount in fen)."""
        rows = self.session.execute(
            select(D.state, func.count(), cast(func.coalesce(func.sum(D.amount_fen), 0), BigInteger))
            .group_by(D.state))
        return {str(state): (count, int(total)) for state, count, total in rows}

    def open_deposits(self, as_of: datetime) -> list[CountedDeposit]:
        """Held deposits whose window is open. Stale, and so to be counted again at `as_of`: counted on another
        revision of the terminal's transactions, at another time than `as_of` with transactions in between, or
        never."""
        newer = exists().where(X.terminal_sn == D.terminal_sn, X.occurred_at > D.volume_as_of,
                               X.occurred_at <= as_of, X.occurred_at < D.deadline)
        stale = or_(D.volume_as_of.is_(None), D.volume_as_of > as_of, D.volume_revision.is_(None),
                    D.volume_revision != T.ledger_revision, newer)
        return self._deposits(and_(D.state == HELD, D.deadline.is_not(None)), stale)

    def changed_since_counted(self) -> list[CountedDeposit]:
        """Deposits with a recorded volume whose terminal's transactions changed since (a late batch with
        back-dated rows, a void): the ones reconciliation must count again, at their own cut-off."""
        changed = and_(D.volume_as_of.is_not(None), D.deadline.is_not(None),
                       or_(D.volume_revision.is_(None), D.volume_revision != T.ledger_revision))
        return self._deposits(changed, changed)

    def counted_deposits(self) -> int:
        return self.session.execute(select(func.count()).select_from(deposits).where(
            D.volume_as_of.is_not(None), D.deadline.is_not(None))).scalar_one()

    def _deposits(self, where: Any, stale: Any) -> list[CountedDeposit]:
        rows = self.session.execute(
            select(*(D[name] for name in DEPOSIT_FIELDS), T.model, stale.label("stale"))
            .join_from(deposits, terminals, T.serial_number == D.terminal_sn).where(where)
            .order_by(D.terminal_sn)).mappings()
        return [CountedDeposit(Deposit(**{name: row[name] for name in DEPOSIT_FIELDS}), row["model"],
                               bool(row["stale"])) for row in rows]
