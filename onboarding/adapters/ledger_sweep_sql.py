"""The ledger sweep as set-based SQL: each step is one UPDATE … WHERE <still in the old state>, stamped with
the sweep's id, followed by INSERT … SELECTs over the rows carrying that id. A row another sweep changed
first no longer matches the WHERE, so each change — and its audit event, refund instruction and
notices — happens exactly once however many sweeps run.

What each step decides is a rule from `ledger_rules_sql`; every step takes the `RuleScope` and leaves out the
terminals the rules cannot be applied to (`processable`), which `quarantine` records for staff, so one such
terminal never stops the sweep for the others.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, and_, func, insert, literal, select, update
from sqlalchemy.orm import Session

from onboarding.adapters.ledger_rules_sql import (
    closed_short,
    dormant,
    first_activation,
    net_volume,
    processable,
    processable_model,
    quarantine_reason,
    refund_waits_for_settlement_change,
    sql_time,
    threshold_reached,
)
from onboarding.adapters.ledger_tables import deposits, refund_instructions, terminals
from onboarding.adapters.orm import applications, audit_events
from onboarding.adapters.sql_dates import plus_days
from onboarding.domain.ledger_rules import RuleScope
from onboarding.domain.model import audit_fields
from onboarding.domain.states import ApplicationState, can_transition
from onboarding.domain.terminals import DepositState, TerminalState, refund_key
from rules.deposit_policy import DepositPolicy

T, D, A = terminals.c, deposits.c, applications.c
HELD, SHIPPED, ACTIVE = str(DepositState.HELD), str(TerminalState.SHIPPED), str(TerminalState.ACTIVE)
# Terminals out in the field: the ones the rules apply to, and so the ones that can be quarantined.
FIELDED = (SHIPPED, ACTIVE, str(TerminalState.SUSPENDED))
assert can_transition(ApplicationState.SHIPPED, ApplicationState.ACTIVE)  # the only transition done in bulk here


class LedgerSweepSql:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _run(self, statement) -> int:
        # rowcount of an INSERT … SELECT is only kept when asked for; UPDATE's always is.
        return self.session.execute(statement.execution_options(preserve_rowcount=True)).rowcount

    def _audit(self, rows, *, application_id, at, actor, action, reason, from_state=None, to_state=None,
               details) -> int:
        """INSERT INTO audit_events SELECT …: `domain.model.audit_fields` in SQL, one event per row of `rows`
        (the columns are expressions over it), for steps that change thousands of rows in one statement."""
        def value(v, column):
            return literal(v, audit_events.c[column].type) if v is None or isinstance(v, (str, dict)) else v

        columns = dict(application_id=application_id, at=at, actor=literal(actor), action=value(action, "action"),
                       from_state=value(from_state, "from_state"), to_state=value(to_state, "to_state"),
                       reason=value(reason, "reason"), details=literal(details, JSON()))
        return self._run(insert(audit_events).from_select(list(columns), rows.with_only_columns(*columns.values())))

    # ---- quarantine --------------------------------------------------------------------------------

    def quarantine(self, scope: RuleScope, as_of: datetime, actor: str, sweep_id: str) -> tuple[int, int]:
        """Records (or lifts) the quarantine of terminals in the field whose rules cannot (or can again) be
        applied; returns (quarantined, lifted). Rare, so the events are built row by row."""
        reason = quarantine_reason(scope)
        changed = T.quarantine_reason.is_distinct_from(reason)
        quarantined = self.session.execute(
            update(terminals).where(T.state.in_(FIELDED), reason.is_not(None), changed)
            .values(quarantined_at=sql_time(as_of), quarantine_reason=reason)
            .returning(T.serial_number, T.application_id, T.quarantine_reason)).all()
        lifted = self.session.execute(
            update(terminals).where(T.quarantined_at.is_not(None), reason.is_(None))
            .values(quarantined_at=None, quarantine_reason=None)
            .returning(T.serial_number, T.application_id)).all()
        events = [audit_fields(application_id, at=as_of, actor=actor, action="terminal_quarantined",
                               reason=f"terminal {serial_number}: {why}", details={"sweep_id": sweep_id})
                  for serial_number, application_id, why in quarantined if application_id] + [
                  audit_fields(application_id, at=as_of, actor=actor, action="terminal_quarantine_lifted",
                               reason=f"terminal {serial_number}: the rules apply to it again",
                               details={"sweep_id": sweep_id})
                  for serial_number, application_id in lifted if application_id]
        if events:
            self.session.execute(insert(audit_events), events)
        return len(quarantined), len(lifted)

    def quarantined(self) -> int:
        return self.session.execute(select(func.count()).where(T.quarantined_at.is_not(None))).scalar_one()

    # ---- activation ----------------------------------------------------------------------------

    def activate(self, model: str, policy: DepositPolicy, scope: RuleScope, sweep_id: str, as_of: datetime) -> int:
        first_sale = first_activation(policy, as_of)
        return self._run(
            update(terminals).where(T.state == SHIPPED, T.model == model, processable(scope), first_sale.is_not(None))
            .values(state=ACTIVE, activated_at=first_sale, bound_at=first_sale, sweep_id=sweep_id))

    def record_activations(self, sweep_id: str, as_of: datetime, actor: str) -> None:
        """Opens each activated terminal's deposit window; moves its application shipped → active, audited."""
        activated = select(T.serial_number).where(T.sweep_id == sweep_id, T.state == ACTIVE)
        activated_at = select(T.activated_at).where(
            T.serial_number == D.terminal_sn, T.application_id == D.application_id).scalar_subquery()
        self._run(update(deposits).where(D.state == HELD, D.deadline.is_(None), D.terminal_sn.in_(activated))
                  .values(window_starts_at=activated_at, deadline=plus_days(activated_at, D.window_days)))
        self._audit(
            select().join_from(terminals, applications, A.id == T.application_id)
            .where(T.sweep_id == sweep_id, T.state == ACTIVE, A.state == str(ApplicationState.SHIPPED)),
            application_id=A.id, at=sql_time(as_of), actor=actor, action="transition",
            from_state=str(ApplicationState.SHIPPED), to_state=str(ApplicationState.ACTIVE),
            reason=literal("first qualifying transaction on terminal ") + T.serial_number,
            details={"sweep_id": sweep_id})
        # version + 1 so an application loaded before the sweep cannot be written back over this.
        self._run(update(applications)
                  .where(A.state == str(ApplicationState.SHIPPED),
                         A.id.in_(select(T.application_id).where(T.sweep_id == sweep_id, T.state == ACTIVE)))
                  .values(state=str(ApplicationState.ACTIVE), state_changed_at=as_of, version=A.version + 1))

    def flag_overdue_activations(self, scope: RuleScope, sweep_id: str, as_of: datetime, actor: str) -> int:
        flagged = self._run(
            update(terminals).where(T.state == SHIPPED, processable(scope), T.activation_flagged_at.is_(None),
                                    T.activation_deadline <= as_of)
            .values(activation_flagged_at=as_of, sweep_id=sweep_id))
        self._audit(
            select().select_from(terminals)
            .where(T.sweep_id == sweep_id, T.state == SHIPPED, T.application_id.is_not(None)),
            application_id=T.application_id, at=sql_time(as_of), actor=actor, action="activation_overdue",
            reason=literal("no qualifying transaction within the activation window on terminal ") + T.serial_number,
            details={"sweep_id": sweep_id})
        return flagged

    def overdue_activations(self) -> int:
        return self.session.execute(select(func.count()).where(
            T.state == SHIPPED, T.activation_flagged_at.is_not(None))).scalar_one()

    # ---- deposits ------------------------------------------------------------------------------

    def refresh_volumes(self, model: str, policy: DepositPolicy, scope: RuleScope, as_of: datetime) -> int:
        volume = net_volume(policy, D.terminal_sn, D.window_starts_at, D.deadline, as_of)
        return self._run(
            update(deposits).where(D.state == HELD, D.deadline.is_not(None),
                                   processable_model(scope, D.terminal_sn) == model)
            .values(qualifying_volume_fen=volume, volume_as_of=as_of))

    def decide_deposits(self, scope: RuleScope, sweep_id: str, as_of: datetime) -> None:
        """Only deposits whose volume the rules could count (a quarantined terminal's waits for staff)."""
        open_window = and_(D.state == HELD, D.deadline.is_not(None),
                           processable_model(scope, D.terminal_sn).is_not(None))
        self._run(update(deposits).where(open_window, threshold_reached(), ~refund_waits_for_settlement_change())
                  .values(state=str(DepositState.REFUNDED), decided_at=as_of, sweep_id=sweep_id,
                          refund_idempotency_key=literal(refund_key("")) + D.application_id))
        self._run(update(deposits).where(open_window, closed_short(as_of))
                  .values(state=str(DepositState.FORFEITED), decided_at=as_of, sweep_id=sweep_id))

    def record_deposit_decisions(self, sweep_id: str, as_of: datetime, actor: str) -> None:
        decided = D.sweep_id == sweep_id
        refunded = and_(decided, D.state == str(DepositState.REFUNDED))
        # To the settlement account on file: the same-name account the application was approved with.
        self._run(insert(refund_instructions).from_select(
            ["idempotency_key", "application_id", "terminal_sn", "amount_fen", "holder_name", "account_number",
             "bank_name", "created_at"],
            select(D.refund_idempotency_key, D.application_id, D.terminal_sn, D.amount_fen,
                   A.settlement_holder_name, A.settlement_number, A.settlement_bank, sql_time(as_of))
            .join_from(deposits, applications, A.id == D.application_id).where(refunded)))
        self._audit(
            select().select_from(deposits)
            .where(decided, D.state.in_([str(DepositState.REFUNDED), str(DepositState.FORFEITED)])),
            application_id=D.application_id, at=sql_time(as_of), actor=actor, action=literal("deposit_") + D.state,
            from_state=HELD, to_state=D.state,
            reason=literal("qualifying volume on terminal ") + D.terminal_sn + literal(" by the deadline"),
            details={"sweep_id": sweep_id})

    def decided_in(self, sweep_id: str) -> list[dict[str, Any]]:
        """What the notices need about each deposit this sweep decided."""
        rows = self.session.execute(
            select(D.application_id, D.terminal_sn, D.state, D.amount_fen, D.threshold_fen, D.qualifying_volume_fen,
                   D.window_days, A.email, A.phone, A.settlement_number)
            .join_from(deposits, applications, A.id == D.application_id)
            .where(D.sweep_id == sweep_id, D.state != HELD).order_by(D.application_id)).mappings()
        return [dict(r) for r in rows]

    # ---- dormancy ------------------------------------------------------------------------------

    def suspend_dormant(self, model: str, cutoff: datetime, scope: RuleScope, sweep_id: str, as_of: datetime,
                        actor: str) -> int:
        suspended = self._run(
            update(terminals).where(T.state == ACTIVE, T.model == model, processable(scope), dormant(cutoff, as_of))
            .values(state=str(TerminalState.SUSPENDED), suspended_at=as_of, sweep_id=sweep_id))
        self._audit(
            select().select_from(terminals)
            .where(T.sweep_id == sweep_id, T.state == str(TerminalState.SUSPENDED), T.model == model,
                   T.application_id.is_not(None)),
            application_id=T.application_id, at=sql_time(as_of), actor=actor, action="terminal_suspended",
            reason=literal("no transaction since the dormancy cutoff on terminal ") + T.serial_number,
            details={"sweep_id": sweep_id})
        return suspended
