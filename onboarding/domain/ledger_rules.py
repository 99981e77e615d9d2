"""The ledger's rules, in one place: which transaction activates a terminal, which count towards its deposit
and why the others do not, when a deposit is refunded or forfeited, when a terminal is dormant, and when the
sweep must leave a terminal to staff instead (quarantine).

The sweep, the deposits report, a batch void and the explanation staff see all call these functions; the
adapters only choose which terminals to ask about and write the answers down (`adapters.ledger_sweep_sql`).
Which kinds and channels count is the device model's policy (`rules.deposit_policy`).
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from onboarding.domain.model import audit_fields
from onboarding.domain.states import ApplicationState
from onboarding.domain.terminals import Deposit, DepositState, Terminal, TerminalState, Transaction
from rules.deposit_policy import DepositPolicies, DepositPolicy

SHORTEST_MONTH_DAYS = 28


@dataclass(frozen=True)
class LedgerLimits:
    """Ceilings that keep one bad row from stopping the ledger (settings `ledger_*`)."""

    max_transaction_fen: int  # one transaction
    max_terminal_fen: int  # all of one terminal's transactions added up: every sum over a terminal stays below it
    future_skew: timedelta  # how far past the import time a transaction may be dated (terminal clocks drift)


# ---- which transactions count ------------------------------------------------------------------


class Reason(StrEnum):
    """Why a transaction does or does not count towards the deposit target (stable codes)."""

    COUNTS = "counts"
    TAKES_BACK = "takes_back"
    CHANNEL_NOT_COUNTED = "channel_not_counted"
    KIND_NOT_COUNTED = "kind_not_counted"
    BEFORE_ACTIVATION = "before_activation"
    AFTER_DEADLINE = "after_deadline"
    NOT_YET = "not_yet"


REASON_TEXT: dict[Reason, tuple[str, str]] = {  # (English, 中文)
    Reason.COUNTS: ("a qualifying sale: adds to the volume", "符合条件的消费：计入交易额"),
    Reason.TAKES_BACK: ("a refund, reversal or void: takes its amount back off the volume",
                        "退款、冲正或撤销：从交易额中扣除"),
    Reason.CHANNEL_NOT_COUNTED: ("this payment channel does not count for this device model",
                                 "该支付方式不计入此机型的交易额"),
    Reason.KIND_NOT_COUNTED: ("this kind of transaction does not count", "该类交易不计入交易额"),
    Reason.BEFORE_ACTIVATION: ("before the terminal was activated: the window opens at activation",
                               "终端激活之前：考核期自激活起算"),
    Reason.AFTER_DEADLINE: ("after the deposit window closed", "押金考核期结束之后"),
    Reason.NOT_YET: ("after the time the volume was counted up to", "晚于交易额统计截止时间"),
}


class Contribution(NamedTuple):
    sign: int  # +1 adds its amount, -1 takes it off, 0 does not count
    reason: Reason


# One object per answer: the sweep asks for hundreds of thousands of transactions at a time.
_ANSWERS = {reason: Contribution(0, reason) for reason in Reason}
_ANSWERS[Reason.COUNTS] = Contribution(1, Reason.COUNTS)
_ANSWERS[Reason.TAKES_BACK] = Contribution(-1, Reason.TAKES_BACK)


class Window(NamedTuple):
    """A deposit's window: from the terminal's activation, for the deposit's number of days."""

    starts_at: datetime
    deadline: datetime  # exclusive


def window_of(deposit: Deposit) -> Window | None:
    if deposit.window_starts_at is None or deposit.deadline is None:
        return None
    return Window(deposit.window_starts_at, deposit.deadline)


def window_from(activated_at: datetime, deposit: Deposit) -> Window:
    return Window(activated_at, activated_at + timedelta(days=deposit.window_days))


def contribution(txn: Transaction, policy: DepositPolicy, window: Window | None, as_of: datetime) -> Contribution:
    """What one transaction does to the deposit's qualifying volume, counted up to `as_of`, and why."""
    at = txn.occurred_at
    if at > as_of:
        return _ANSWERS[Reason.NOT_YET]
    if window is None or at < window.starts_at:
        return _ANSWERS[Reason.BEFORE_ACTIVATION]
    if at >= window.deadline:
        return _ANSWERS[Reason.AFTER_DEADLINE]
    sign = policy.counts(txn.kind, txn.channel)
    if sign > 0:
        return _ANSWERS[Reason.COUNTS]
    if sign < 0:
        return _ANSWERS[Reason.TAKES_BACK]
    if txn.channel not in policy.qualifying_channels:
        return _ANSWERS[Reason.CHANNEL_NOT_COUNTED]
    return _ANSWERS[Reason.KIND_NOT_COUNTED]


def qualifying_volume(transactions: Iterable[Transaction], policy: DepositPolicy, window: Window,
                      as_of: datetime) -> int:
    """Net qualifying volume in fen: transactions in [window start, deadline) that happened by `as_of`.
    Python integers: no sum overflows, whatever the rows hold."""
    return sum(contribution(t, policy, window, as_of).sign * t.amount_fen for t in transactions)


# ---- activation and the deposit --------------------------------------------------------------


def activates(txn: Transaction, policy: DepositPolicy, *, shipped_at: datetime, activation_deadline: datetime,
              as_of: datetime) -> bool:
    """A qualifying sale of at least the minimum amount, within the activation window, by `as_of`."""
    return (shipped_at <= txn.occurred_at < activation_deadline and txn.occurred_at <= as_of
            and policy.counts(txn.kind, txn.channel) > 0 and txn.amount_fen >= policy.activation_min_amount_fen)


def activating_transaction(transactions: Iterable[Transaction], policy: DepositPolicy, *, shipped_at: datetime,
                           activation_deadline: datetime, as_of: datetime) -> Transaction | None:
    """The first transaction that activates the terminal, if any yet."""
    candidates = [t for t in transactions if activates(t, policy, shipped_at=shipped_at,
                                                          activation_deadline=activation_deadline, as_of=as_of)]
    return min(candidates, key=lambda t: (t.occurred_at, t.txn_id), default=None)


def deposit_outcome(threshold_fen: int, deadline: datetime, volume_fen: int, as_of: datetime) -> DepositState:
    """For a held deposit whose window is open: refunded as soon as the volume reaches the threshold,
    forfeited once the window closed short, held until then. (A decided deposit is never asked again: a late
    reversal does not undo a refund.)"""
    if volume_fen >= threshold_fen:
        return DepositState.REFUNDED
    if as_of >= deadline:
        return DepositState.FORFEITED
    return DepositState.HELD


# ---- dormancy ------------------------------------------------------------------------------------


def months_before(moment: datetime, months: int) -> datetime:
    """Calendar months back; the 31st becomes the month's last day (31 Mar − 1 month = 28/29 Feb)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def dormancy_cutoff(policy: DepositPolicy, as_of: datetime) -> datetime:
    """An active terminal whose last transaction is at or before this moment is dormant."""
    return months_before(as_of, policy.dormant_months)


def is_dormant(last_seen: datetime, policy: DepositPolicy, as_of: datetime) -> bool:
    """`last_seen`: its latest transaction at or before `as_of` (or its activation), so a transaction dated in
    the future never keeps a terminal awake."""
    return last_seen <= dormancy_cutoff(policy, as_of)


def surely_awake_after(policy: DepositPolicy, as_of: datetime) -> datetime:
    """A terminal with a transaction after this moment is not dormant (a month has at least 28 days, so this is
    never before the cutoff): lets a query leave out the terminals that cannot be dormant."""
    return as_of - timedelta(days=SHORTEST_MONTH_DAYS * policy.dormant_months)


# ---- quarantine ----------------------------------------------------------------------------------


def quarantine_reason(terminal: Terminal, transactions: Iterable[Transaction], limits: LedgerLimits) -> str | None:
    """Why the sweep must not decide anything for this terminal, or None. Rows above the ceilings are refused at
    import; these come from before the ceilings, or from ceilings lowered since."""
    if terminal.gross_fen > limits.max_terminal_fen:
        return (f"its transactions add up to {terminal.gross_fen:,} fen, above the per-terminal ceiling of "
                f"{limits.max_terminal_fen:,} fen; void the batch that brought them")
    for txn in transactions:
        if txn.amount_fen > limits.max_transaction_fen:
            return (f"transaction {txn.txn_id} of {txn.amount_fen:,} fen is above the per-transaction ceiling of "
                    f"{limits.max_transaction_fen:,} fen; void the batch that brought it")
    return None


# ---- one terminal in one sweep ---------------------------------------------------------------------


@dataclass
class TerminalFacts:
    """What the sweep read about one terminal."""

    terminal: Terminal  # read without its binding, which the sweep never writes
    deposit: Deposit | None  # its deposit while held
    transactions: list[Transaction]  # since it shipped, at or before as_of (empty when no rule needs them)
    last_seen: datetime | None  # its latest transaction at or before as_of


@dataclass
class SweepOutcome:
    """What one sweep decided for one terminal: the changed terminal and deposit, and their audit events."""

    terminal: Terminal
    deposit: Deposit | None
    was: TerminalState
    terminal_changed: bool = False
    deposit_changed: bool = False
    activated: bool = False
    flagged: bool = False
    decided: DepositState | None = None
    suspended: bool = False
    quarantined: bool = False
    released: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class _Plan:
    activation: Transaction | None
    flag_overdue: bool
    window: Window | None
    volume: int | None
    outcome: DepositState | None
    dormant: bool


def sweep_terminal(facts: TerminalFacts, policies: DepositPolicies, limits: LedgerLimits, as_of: datetime, *,
                   actor: str, sweep_id: str) -> SweepOutcome:
    """Activation, the deposit's volume and decision, dormancy: everything due for one terminal at `as_of`.

    A terminal the rules cannot be applied to (amounts above the ceilings, no policy for its model, dates the
    arithmetic cannot handle) is quarantined with the reason, for staff; the sweep goes on with the others,
    and a later sweep releases it once the cause is gone (a batch voided, a ceiling raised).
    """
    terminal = facts.terminal
    result = SweepOutcome(terminal=terminal, deposit=facts.deposit, was=terminal.state)
    event = _events(result, as_of, actor, sweep_id)
    try:
        policy = policies.for_model(terminal.model)
        problem = quarantine_reason(terminal, facts.transactions, limits)
        plan = None if problem else _plan(facts, policy, as_of)
    except (LookupError, ValueError, ArithmeticError) as error:
        problem, plan = f"could not be processed: {error}", None
    if plan is None:
        if problem != terminal.quarantine_reason:
            terminal.quarantine(problem, as_of)
            result.terminal_changed = result.quarantined = True
            event("terminal_quarantined", problem)
        return result
    if terminal.quarantined:
        terminal.lift_quarantine()
        result.terminal_changed = result.released = True
        event("terminal_released", "the sweep could process it again")
    _apply(plan, result, as_of, event)
    return result


def _plan(facts: TerminalFacts, policy: DepositPolicy, as_of: datetime) -> _Plan:
    """Everything decided before anything changes, so a failure leaves the terminal as it was read."""
    terminal, deposit, transactions = facts.terminal, facts.deposit, facts.transactions
    activation, flag, activated_at = None, False, terminal.activated_at
    if terminal.state == TerminalState.SHIPPED:
        activation = activating_transaction(transactions, policy, shipped_at=terminal.shipped_at,
                                            activation_deadline=terminal.activation_deadline, as_of=as_of)
        if activation is not None:
            activated_at = activation.occurred_at
        else:
            flag = terminal.activation_flagged_at is None and terminal.activation_deadline <= as_of
    window = volume = outcome = None
    if deposit is not None and deposit.state == DepositState.HELD:
        window = window_of(deposit)
        if window is None and activation is not None:
            window = window_from(activated_at, deposit)
        if window is not None:
            volume = qualifying_volume(transactions, policy, window, as_of)
            outcome = deposit_outcome(deposit.threshold_fen, window.deadline, volume, as_of)
    active = terminal.state == TerminalState.ACTIVE or activation is not None
    last_seen = max((m for m in (facts.last_seen, activated_at) if m is not None), default=None)
    dormant = active and last_seen is not None and is_dormant(last_seen, policy, as_of)
    return _Plan(activation, flag, window, volume, outcome, dormant)


def _apply(plan: _Plan, result: SweepOutcome, as_of: datetime, event) -> None:
    terminal, deposit = result.terminal, result.deposit
    if plan.activation is not None:
        terminal.activate(plan.activation.occurred_at)
        result.terminal_changed = result.activated = True
        event("transition", f"first qualifying transaction {plan.activation.txn_id} on terminal "
                            f"{terminal.serial_number}", from_state=ApplicationState.SHIPPED,
              to_state=ApplicationState.ACTIVE)
    if plan.flag_overdue:
        terminal.flag_activation_overdue(as_of)
        result.terminal_changed = result.flagged = True
        event("activation_overdue",
              f"no qualifying transaction within the activation window on terminal {terminal.serial_number}")
    if plan.window is not None:
        if deposit.window_starts_at is None:
            deposit.open_window(plan.window.starts_at)
        deposit.record_volume(plan.volume, as_of, terminal.ledger_revision)
        result.deposit_changed = True
        if plan.outcome != DepositState.HELD:
            deposit.decide(plan.outcome, as_of)
            result.decided = plan.outcome
            event(f"deposit_{plan.outcome}", f"qualifying volume {plan.volume:,} fen against a threshold of "
                                             f"{deposit.threshold_fen:,} fen on terminal {terminal.serial_number} "
                                             "by the deadline", from_state=DepositState.HELD, to_state=plan.outcome)
    if plan.dormant:
        terminal.suspend(as_of)
        result.terminal_changed = result.suspended = True
        event("terminal_suspended", f"no transaction since the dormancy cutoff on terminal {terminal.serial_number}")


def _events(result: SweepOutcome, as_of: datetime, actor: str, sweep_id: str):
    def event(action: str, reason: str, *, from_state: str | None = None, to_state: str | None = None) -> None:
        result.events.append(audit_fields(result.terminal.application_id, at=as_of, actor=actor, action=action,
                                          reason=reason, from_state=from_state, to_state=to_state,
                                          details={"sweep_id": sweep_id}))
    return event
