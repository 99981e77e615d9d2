"""The ledger's rules, written once, as SQL expressions: which transaction activates a terminal, what each
transaction does to its deposit's qualifying volume and why, when a deposit is refunded or forfeited, when a
terminal is dormant, and which terminals the rules cannot be applied to (quarantine).

SQL because the sweep decides for every terminal at once (100,000 of them within seconds); there is no Python
copy. The sweep, the deposits report, a batch void and the transaction explanation staff see all build their
statements from these functions, and tests/integration/ledger/test_rule_parity.py runs every rule from one
table of cases on SQLite and PostgreSQL. What counts is the device model's policy (`rules.deposit_policy`);
the numbers that are not SQL's business (the calendar-month dormancy cutoff, the ceilings) come in as values.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, String, and_, case, cast, exists, func, literal, not_, or_, select, true

from onboarding.adapters.aftercare_tables import change_requests
from onboarding.adapters.columns import UtcDateTime
from onboarding.adapters.ledger_tables import deposits, terminals, transactions
from onboarding.domain.changes import OPEN_CHANGE_STATES
from onboarding.domain.ledger_rules import Reason, RuleScope
from rules.deposit_policy import DepositPolicy

T, D, X, C = terminals.c, deposits.c, transactions.c, change_requests.c


def sql_time(moment: datetime | Any):
    """A moment as a SQL value (columns and expressions pass through)."""
    return literal(moment, UtcDateTime()) if isinstance(moment, datetime) else moment


def _values(members) -> list[str]:
    return sorted(str(m) for m in members)


def qualifying_sale(policy: DepositPolicy, txn=X):
    """A sale of a kind and on a channel that count for the device model."""
    return and_(txn.kind.in_(_values(policy.qualifying_kinds)), txn.channel.in_(_values(policy.qualifying_channels)))


# ---- activation ----------------------------------------------------------------------------------


def activates(policy: DepositPolicy, shipped_at, activation_deadline, as_of, txn=X):
    """A qualifying sale of at least the minimum amount, within [shipped, activation deadline), by `as_of`."""
    return and_(qualifying_sale(policy, txn), txn.amount_fen >= policy.activation_min_amount_fen,
                txn.occurred_at >= shipped_at, txn.occurred_at < activation_deadline,
                txn.occurred_at <= sql_time(as_of))


def first_activation(policy: DepositPolicy, as_of):
    """When the terminal (`terminals` row in the enclosing query) was activated, if it was by `as_of`: its first
    activating transaction."""
    return select(func.min(X.occurred_at)).where(
        X.terminal_sn == T.serial_number, activates(policy, T.shipped_at, T.activation_deadline, as_of),
    ).scalar_subquery()


# ---- the deposit's qualifying volume -----------------------------------------------------------------


def countable(policy: DepositPolicy, window_start, deadline, as_of, txn=X):
    """In the deposit's window [window_start, deadline), by `as_of`, on a channel that counts for the device
    model: the transactions whose kind then decides (`kind_sign`)."""
    return and_(txn.occurred_at <= sql_time(as_of), txn.occurred_at >= window_start, txn.occurred_at < deadline,
                txn.channel.in_(_values(policy.qualifying_channels)))


def kind_sign(policy: DepositPolicy, txn=X):
    """What a countable transaction does to the volume, in fen: a qualifying sale adds its amount, a refund,
    reversal or void (the policy's subtracting kinds) takes it off, any other kind nothing."""
    return case((txn.kind.in_(_values(policy.qualifying_kinds)), txn.amount_fen),
                (txn.kind.in_(_values(policy.subtracting_kinds)), -txn.amount_fen), else_=0)


def signed_amount(policy: DepositPolicy, window_start, deadline, as_of, txn=X):
    """What the transaction adds to (or takes off) the qualifying volume, in fen."""
    return case((countable(policy, window_start, deadline, as_of, txn), kind_sign(policy, txn)), else_=0)


def contribution(policy: DepositPolicy, window_start, deadline, as_of, txn=X):
    """Why a transaction does or does not count towards the deposit target: a `Reason` code. For one that is not
    countable, the first condition it fails names the reason."""
    why_not = case(
        (txn.occurred_at > sql_time(as_of), Reason.NOT_YET.value),
        (or_(window_start.is_(None), txn.occurred_at < window_start), Reason.BEFORE_ACTIVATION.value),
        (txn.occurred_at >= deadline, Reason.AFTER_DEADLINE.value),
        else_=Reason.CHANNEL_NOT_COUNTED.value)
    return case((not_(func.coalesce(countable(policy, window_start, deadline, as_of, txn), False)), why_not),
                (txn.kind.in_(_values(policy.qualifying_kinds)), Reason.COUNTS.value),
                (txn.kind.in_(_values(policy.subtracting_kinds)), Reason.TAKES_BACK.value),
                else_=Reason.KIND_NOT_COUNTED.value)


def net_volume(policy: DepositPolicy, terminal_sn, window_start, deadline, as_of):
    """Net qualifying volume in fen: `kind_sign` added up over the terminal's `countable` transactions (which an
    index finds). Only used on terminals within the ceilings (`processable`), whose every sum fits in 64 bits."""
    return cast(func.coalesce(
        select(func.sum(kind_sign(policy))).where(
            X.terminal_sn == terminal_sn, countable(policy, window_start, deadline, as_of)).scalar_subquery(), 0),
        BigInteger)


# ---- the deposit's outcome ---------------------------------------------------------------------------


def threshold_reached(volume=D.qualifying_volume_fen, threshold=D.threshold_fen):
    """Refunded as soon as the window's volume reaches the threshold (a decided deposit is never asked again: a
    late reversal does not undo a refund)."""
    return volume >= threshold


def refund_waits_for_settlement_change(application_id=D.application_id):
    """A refund waits while the merchant's settlement account is being changed (it would go to the old one): the
    deposit stays held with its volume counted, and the first sweep after the change ends refunds it."""
    return exists().where(C.application_id == application_id, C.changes_settlement == true(),
                          C.state.in_(_values(OPEN_CHANGE_STATES)))


def closed_short(as_of, volume=D.qualifying_volume_fen):
    """Forfeited once the window closed short of the threshold."""
    return and_(D.deadline <= sql_time(as_of), not_(threshold_reached(volume)))


# ---- dormancy ----------------------------------------------------------------------------------------


def dormant(cutoff: datetime, as_of: datetime):
    """An active terminal (`terminals` row in the enclosing query) with no transaction after `cutoff` (see
    `domain.ledger_rules.dormancy_cutoff`) up to `as_of`. A transaction dated after `as_of` does not count, so a
    row dated in the future never keeps a terminal awake."""
    return and_(T.activated_at <= sql_time(cutoff), ~exists().where(
        X.terminal_sn == T.serial_number, X.occurred_at > sql_time(cutoff), X.occurred_at <= sql_time(as_of)))


# ---- quarantine --------------------------------------------------------------------------------------


def quarantine_reason(scope: RuleScope):
    """Why the rules must not be applied to the terminal (`terminals` row in the enclosing query), or NULL.
    Rows above the ceilings are refused at import; these come from before the ceilings or from ceilings
    lowered since. Its own columns are enough: `largest_fen` and `gross_fen` are kept by import and void."""
    limits, models = scope.limits, list(scope.models)

    def fen(value) -> Any:
        return cast(value, String)

    return case(
        (not_(T.model.in_(models)), literal("no deposit policy for device model ") + T.model),
        (T.largest_fen > limits.max_transaction_fen,
         literal("a transaction of ") + fen(T.largest_fen) + literal(" fen is above the per-transaction ceiling of ")
         + fen(literal(limits.max_transaction_fen, BigInteger)) + literal(" fen; void the batch that brought it")),
        (T.gross_fen > limits.max_terminal_fen,
         literal("its transactions add up to ") + fen(T.gross_fen) + literal(" fen, above the per-terminal ceiling of ")
         + fen(literal(limits.max_terminal_fen, BigInteger)) + literal(" fen; void the batch that brought them")),
        else_=literal(None, String),
    )


def processable(scope: RuleScope):
    """The terminals (`terminals` rows of the enclosing query) the rules may be applied to."""
    return and_(T.model.in_(list(scope.models)), T.largest_fen <= scope.limits.max_transaction_fen,
                T.gross_fen <= scope.limits.max_terminal_fen)


def processable_model(scope: RuleScope, terminal_sn):
    """The device model of the terminal `terminal_sn` (a column of the enclosing query) if it is `processable`,
    else NULL. A scalar subquery, so one primary-key lookup a row: PostgreSQL turns an IN or EXISTS into a join,
    whose order it picks from estimates that are badly low for these conditions on tables not yet analysed (a
    report took 85 s instead of 2)."""
    return select(T.model).where(T.serial_number == terminal_sn, processable(scope)).scalar_subquery()
