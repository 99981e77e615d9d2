"""The ledger sweep as set-based SQL: each step is one UPDATE … WHERE <still in the old state>, stamped with
the sweep's id, followed by INSERT … SELECTs over the rows carrying that id. A row another sweep changed
first no longer matches the WHERE, so each change — and its audit event, refund instruction and
notices — happens exactly once however many sweeps run.

The conditions mirror the pure rules in `onboarding.domain.terminals`; tests hold the two together.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, and_, case, cast, func, insert, literal, select, update
from sqlalchemy.orm import Session

from onboarding.adapters.columns import UtcDateTime
from onboarding.adapters.ledger_tables import deposits, refund_instructions, terminals, transactions
from onboarding.adapters.orm import applications, audit_events
from onboarding.adapters.sql_dates import plus_days
from onboarding.domain.states import ApplicationState, can_transition
from onboarding.domain.terminals import DepositState, TerminalState, refund_key
from rules.deposit_policy import DepositPolicy

T, D, X, A = terminals.c, deposits.c, transactions.c, applications.c
HELD, SHIPPED, ACTIVE = str(DepositState.HELD), str(TerminalState.SHIPPED), str(TerminalState.ACTIVE)
assert can_transition(ApplicationState.SHIPPED, ApplicationState.ACTIVE)  # the only transition done in bulk here


def net_volume(policy: DepositPolicy, terminal_sn: Any, starts_at: Any, deadline: Any, as_of: datetime | Any):
    """SQL twin of `domain.terminals.qualifying_volume`: net fen in [starts_at, deadline), up to as_of."""
    if isinstance(as_of, datetime):
        as_of = _at(as_of)
    signed = case(
        (X.kind.in_([str(k) for k in policy.qualifying_kinds]), X.amount_fen),
        (X.kind.in_([str(k) for k in policy.subtracting_kinds]), -X.amount_fen),
        else_=0,
    )
    return cast(func.coalesce(
        select(func.sum(signed)).where(
            X.terminal_sn == terminal_sn, X.channel.in_([str(c) for c in policy.qualifying_channels]),
            X.occurred_at >= starts_at, X.occurred_at < deadline, X.occurred_at <= as_of,
        ).scalar_subquery(), 0), BigInteger)


class LedgerSweepSql:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _run(self, statement) -> int:
        # rowcount of an INSERT … SELECT is only kept when asked for; UPDATE's always is.
        return self.session.execute(statement.execution_options(preserve_rowcount=True)).rowcount

    def _audit(self, rows) -> int:
        """INSERT INTO audit_events SELECT … — `rows` yields the columns in `_AUDIT_COLUMNS` order."""
        return self._run(insert(audit_events).from_select(_AUDIT_COLUMNS, rows))

    # ---- activation ----------------------------------------------------------------------------

    def activate(self, model: str, policy: DepositPolicy, sweep_id: str, as_of: datetime) -> int:
        first_sale = select(func.min(X.occurred_at)).where(
            X.terminal_sn == T.serial_number,
            X.kind.in_([str(k) for k in policy.qualifying_kinds]),
            X.channel.in_([str(c) for c in policy.qualifying_channels]),
            X.amount_fen >= policy.activation_min_amount_fen,
            X.occurred_at >= T.shipped_at, X.occurred_at < T.activation_deadline,
            X.occurred_at <= _at(as_of),
        ).scalar_subquery()
        return self._run(
            update(terminals).where(T.state == SHIPPED, T.model == model, first_sale.is_not(None))
            .values(state=ACTIVE, activated_at=first_sale, bound_at=first_sale, sweep_id=sweep_id))

    def record_activations(self, sweep_id: str, as_of: datetime, actor: str) -> None:
        """Opens each activated terminal's deposit window; moves its application shipped → active, audited."""
        activated = select(T.serial_number).where(T.sweep_id == sweep_id, T.state == ACTIVE)
        activated_at = select(T.activated_at).where(
            T.serial_number == D.terminal_sn, T.application_id == D.application_id).scalar_subquery()
        self._run(update(deposits).where(D.state == HELD, D.deadline.is_(None), D.terminal_sn.in_(activated))
                  .values(window_starts_at=activated_at, deadline=plus_days(activated_at, D.window_days)))
        self._audit(
            select(A.id, _at(as_of), literal(actor), literal("transition"), literal(str(ApplicationState.SHIPPED)),
                   literal(str(ApplicationState.ACTIVE)),
                   literal("first qualifying transaction on terminal ") + T.serial_number, _details(sweep_id))
            .join_from(terminals, applications, A.id == T.application_id)
            .where(T.sweep_id == sweep_id, T.state == ACTIVE, A.state == str(ApplicationState.SHIPPED)))
        # version + 1 so an application loaded before the sweep cannot be written back over this.
        self._run(update(applications)
                  .where(A.state == str(ApplicationState.SHIPPED),
                         A.id.in_(select(T.application_id).where(T.sweep_id == sweep_id, T.state == ACTIVE)))
                  .values(state=str(ApplicationState.ACTIVE), state_changed_at=as_of, version=A.version + 1))

    def flag_overdue_activations(self, sweep_id: str, as_of: datetime, actor: str) -> int:
        flagged = self._run(
            update(terminals).where(T.state == SHIPPED, T.activation_flagged_at.is_(None),
                                    T.activation_deadline <= as_of)
            .values(activation_flagged_at=as_of, sweep_id=sweep_id))
        self._audit(
            select(T.application_id, _at(as_of), literal(actor), literal("activation_overdue"), _null(), _null(),
                   literal("no qualifying transaction within the activation window on terminal ") + T.serial_number,
                   _details(sweep_id))
            .where(T.sweep_id == sweep_id, T.state == SHIPPED, T.application_id.is_not(None)))
        return flagged

    def overdue_activations(self) -> int:
        return self.session.execute(select(func.count()).where(
            T.state == SHIPPED, T.activation_flagged_at.is_not(None))).scalar_one()

    # ---- deposits ------------------------------------------------------------------------------

    def refresh_volumes(self, model: str, policy: DepositPolicy, as_of: datetime) -> int:
        of_model = select(T.serial_number).where(T.model == model)
        volume = net_volume(policy, D.terminal_sn, D.window_starts_at, D.deadline, as_of)
        return self._run(
            update(deposits).where(D.state == HELD, D.deadline.is_not(None), D.terminal_sn.in_(of_model))
            .values(qualifying_volume_fen=volume, volume_as_of=as_of))

    def decide_deposits(self, sweep_id: str, as_of: datetime) -> None:
        open_window = and_(D.state == HELD, D.deadline.is_not(None))
        self._run(update(deposits).where(open_window, D.qualifying_volume_fen >= D.threshold_fen)
                  .values(state=str(DepositState.REFUNDED), decided_at=as_of, sweep_id=sweep_id,
                          refund_idempotency_key=literal(refund_key("")) + D.application_id))
        self._run(update(deposits).where(open_window, D.deadline <= as_of, D.qualifying_volume_fen < D.threshold_fen)
                  .values(state=str(DepositState.FORFEITED), decided_at=as_of, sweep_id=sweep_id))

    def record_deposit_decisions(self, sweep_id: str, as_of: datetime, actor: str) -> None:
        decided = D.sweep_id == sweep_id
        refunded = and_(decided, D.state == str(DepositState.REFUNDED))
        # To the settlement account on file: the same-name account the application was approved with.
        self._run(insert(refund_instructions).from_select(
            ["idempotency_key", "application_id", "terminal_sn", "amount_fen", "holder_name", "account_number",
             "bank_name", "created_at"],
            select(D.refund_idempotency_key, D.application_id, D.terminal_sn, D.amount_fen,
                   A.settlement_holder_name, A.settlement_number, A.settlement_bank, _at(as_of))
            .join_from(deposits, applications, A.id == D.application_id).where(refunded)))
        self._audit(
            select(D.application_id, _at(as_of), literal(actor), literal("deposit_") + D.state, literal(HELD), D.state,
                   literal("qualifying volume on terminal ") + D.terminal_sn + literal(" by the deadline"),
                   _details(sweep_id))
            .where(decided, D.state.in_([str(DepositState.REFUNDED), str(DepositState.FORFEITED)])))

    def decided_in(self, sweep_id: str) -> list[dict[str, Any]]:
        """What the notices need about each deposit this sweep decided."""
        rows = self.session.execute(
            select(D.application_id, D.terminal_sn, D.state, D.amount_fen, D.threshold_fen, D.qualifying_volume_fen,
                   D.window_days, A.email, A.phone, A.settlement_number)
            .join_from(deposits, applications, A.id == D.application_id)
            .where(D.sweep_id == sweep_id, D.state != HELD).order_by(D.application_id)).mappings()
        return [dict(r) for r in rows]

    # ---- dormancy ------------------------------------------------------------------------------

    def suspend_dormant(self, model: str, cutoff: datetime, sweep_id: str, as_of: datetime, actor: str) -> int:
        last_seen = func.coalesce(T.last_transaction_at, T.activated_at)
        suspended = self._run(
            update(terminals).where(T.state == ACTIVE, T.model == model, last_seen <= cutoff)
            .values(state=str(TerminalState.SUSPENDED), suspended_at=as_of, sweep_id=sweep_id))
        self._audit(
            select(T.application_id, _at(as_of), literal(actor), literal("terminal_suspended"), _null(), _null(),
                   literal("no transaction since the dormancy cutoff on terminal ") + T.serial_number,
                   _details(sweep_id))
            .where(T.sweep_id == sweep_id, T.state == str(TerminalState.SUSPENDED), T.model == model,
                   T.application_id.is_not(None)))
        return suspended


_AUDIT_COLUMNS = ["application_id", "at", "actor", "action", "from_state", "to_state", "reason", "details"]


def _at(moment: datetime):
    return literal(moment, UtcDateTime())


def _null():
    return literal(None, audit_events.c.from_state.type)


def _details(sweep_id: str):
    return literal({"sweep_id": sweep_id}, JSON())
