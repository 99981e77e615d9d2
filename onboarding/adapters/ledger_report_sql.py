"""Read-only, set-based queries for the deposits report: totals, what falls due, reconciliation. Volumes and
the threshold are the sweep's own rules (`ledger_rules_sql`), over the same terminals (the `RuleScope`).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from onboarding.adapters.ledger_rules_sql import net_volume, processable_model, threshold_reached
from onboarding.adapters.ledger_sweep_sql import HELD, D
from onboarding.adapters.ledger_tables import deposits
from onboarding.domain.ledger_rules import RuleScope
from rules.deposit_policy import DepositPolicy


class LedgerReportSql:
    def __init__(self, session: Session) -> None:
        self.session = session

    def totals_by_state(self) -> dict[str, tuple[int, int]]:
        """deposit state → (count, total amount in fen)."""
        rows = self.session.execute(
            select(D.state, func.count(), cast(func.coalesce(func.sum(D.amount_fen), 0), BigInteger))
            .group_by(D.state))
        return {str(state): (count, int(total)) for state, count, total in rows}

    def due(self, model: str, policy: DepositPolicy, scope: RuleScope, as_of: datetime,
            days: int) -> list[dict[str, Any]]:
        """Held deposits with a decision due within `days`: volume (as of `as_of`) already at the threshold
        (`reached`), or the deadline at most `days` away (or already passed, waiting for a sweep)."""
        volume = net_volume(policy, D.terminal_sn, D.window_starts_at, D.deadline, as_of)
        inner = (select(D.application_id, D.terminal_sn, D.amount_fen, D.threshold_fen, D.deadline,
                        volume.label("volume"))
                 .where(D.state == HELD, D.deadline.is_not(None), processable_model(scope, D.terminal_sn) == model)
                 .subquery())
        horizon = as_of + timedelta(days=days)
        reached = threshold_reached(inner.c.volume, inner.c.threshold_fen)
        rows = self.session.execute(
            select(inner, reached.label("reached")).where(or_(reached, inner.c.deadline <= horizon))
            .order_by(inner.c.deadline, inner.c.application_id)).mappings()
        return [dict(r) for r in rows]

    def volume_mismatches(self, model: str, policy: DepositPolicy,
                          scope: RuleScope) -> tuple[int, list[dict[str, Any]]]:
        """Deposits whose recorded qualifying volume differs from the transactions' sum over the same window
        and cut-off; returns how many were checked and the differing ones."""
        recomputed = net_volume(policy, D.terminal_sn, D.window_starts_at, D.deadline, D.volume_as_of)
        checked = and_(D.volume_as_of.is_not(None), D.deadline.is_not(None),
                       processable_model(scope, D.terminal_sn) == model)
        inner = (select(D.application_id, D.terminal_sn, D.state, D.qualifying_volume_fen.label("ledger_fen"),
                        recomputed.label("transactions_fen")).where(checked).subquery())
        count = self.session.execute(select(func.count()).select_from(deposits).where(checked)).scalar_one()
        differing = select(inner).where(inner.c.ledger_fen != inner.c.transactions_fen).order_by(inner.c.terminal_sn)
        rows = self.session.execute(differing).mappings()
        return count, [{**r, "state": str(r["state"]), "ledger_fen": int(r["ledger_fen"]),
                        "transactions_fen": int(r["transactions_fen"]),
                        "difference_fen": int(r["ledger_fen"]) - int(r["transactions_fen"])} for r in rows]
