"""Read-only lists for the back office's terminals and deposits pages: filtered and paged in the database."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onboarding.adapters.ledger_tables import deposits, refund_instructions, terminals
from onboarding.adapters.orm import applications, audit_events

_TERMINAL_COLUMNS = ("serial_number", "model", "state", "application_id", "added_at", "assigned_at", "shipped_at",
                     "activation_deadline", "activation_flagged_at", "activated_at", "last_transaction_at",
                     "suspended_at")


class LedgerListsSql:
    def __init__(self, session: Session) -> None:
        self.session = session

    def terminals(self, state: str | None, model: str | None, limit: int, offset: int) -> tuple[int, list[dict]]:
        conditions = [c for c in (terminals.c.state == state if state else None,
                                  terminals.c.model == model if model else None) if c is not None]
        total = self.session.execute(select(func.count()).select_from(terminals).where(*conditions)).scalar_one()
        rows = self.session.execute(
            select(*(terminals.c[name] for name in _TERMINAL_COLUMNS), applications.c.business_name)
            .select_from(terminals.outerjoin(applications, applications.c.id == terminals.c.application_id))
            .where(*conditions).order_by(terminals.c.added_at.desc(), terminals.c.serial_number)
            .limit(limit).offset(offset)).mappings()
        return total, [dict(r) for r in rows]

    def terminal_counts(self) -> dict[str, int]:
        rows = self.session.execute(select(terminals.c.state, func.count()).group_by(terminals.c.state))
        return {str(state): count for state, count in rows}

    def terminal(self, serial_number: str) -> dict[str, Any] | None:
        row = self.session.execute(
            select(*(terminals.c[name] for name in _TERMINAL_COLUMNS), applications.c.business_name)
            .select_from(terminals.outerjoin(applications, applications.c.id == terminals.c.application_id))
            .where(terminals.c.serial_number == serial_number)).mappings().first()
        return None if row is None else dict(row)

    def terminal_events(self, application_id: str) -> list[dict[str, Any]]:
        """The application's audit events about terminals and deposits (assignment, shipping, activation…)."""
        rows = self.session.execute(select(audit_events).where(audit_events.c.application_id == application_id)
                                    .order_by(audit_events.c.id)).mappings()
        wanted = ("terminal", "deposit", "activat", "ship", "suspend", "refund", "forfeit")
        return [dict(r) for r in rows if any(w in r["action"] or w in (r["reason"] or "") for w in wanted)
                or r["to_state"] in ("shipped", "active")]

    def deposits(self, state: str | None, limit: int, offset: int) -> tuple[int, list[dict]]:
        condition = [deposits.c.state == state] if state else []
        total = self.session.execute(select(func.count()).select_from(deposits).where(*condition)).scalar_one()
        rows = self.session.execute(
            select(deposits.c.application_id, deposits.c.terminal_sn, deposits.c.amount_fen, deposits.c.threshold_fen,
                   deposits.c.window_days, deposits.c.state, deposits.c.taken_at, deposits.c.window_starts_at,
                   deposits.c.deadline, deposits.c.qualifying_volume_fen, deposits.c.volume_as_of,
                   deposits.c.decided_at, applications.c.business_name, refund_instructions.c.sent_at.label("refund_sent_at"))
            .select_from(deposits.join(applications, applications.c.id == deposits.c.application_id)
                         .outerjoin(refund_instructions, refund_instructions.c.application_id == deposits.c.application_id))
            .where(*condition).order_by(deposits.c.deadline.is_(None), deposits.c.deadline, deposits.c.application_id)
            .limit(limit).offset(offset)).mappings()
        return total, [dict(r) for r in rows]
