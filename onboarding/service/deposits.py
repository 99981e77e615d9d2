"""The ledger sweep (activations, refunds, forfeits, dormant terminals, quarantine) and the deposits report.

The sweep goes through the terminals a batch at a time: the adapter reads the candidates, the domain's rules
(`domain.ledger_rules`) decide for each terminal, the adapter writes the batch set-based and it commits.
A terminal the rules cannot be applied to is quarantined with its reason and the sweep goes on; each batch is
safe to run again and alongside another sweep.
"""
from __future__ import annotations

import random
import secrets
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, TypeVar

from sqlalchemy.exc import DBAPIError

from onboarding.adapters.ledger_report_sql import CountedDeposit
from onboarding.adapters.ledger_sweep_sql import LedgerChangedMeanwhile
from onboarding.adapters.unit_of_work import UnitOfWork
from onboarding.bootstrap import Services
from onboarding.domain.ledger_rules import (
    LedgerLimits,
    SweepOutcome,
    deposit_outcome,
    qualifying_volume,
    surely_awake_after,
    sweep_terminal,
    window_of,
)
from onboarding.domain.terminals import Deposit, DepositState, LedgerError
from onboarding.service.deposit_notices import DepositFacts, deposit_notices
from onboarding.service.terminals import policies_of
from onboarding.settings import Settings
from rules.deposit_policy import DepositPolicies

ACTOR = "sweep"
BATCH = 5000
DUE_WITHIN_DAYS = 7
_ATTEMPTS = 5
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock, serialization failure

Result = TypeVar("Result")


@dataclass(frozen=True)
class LedgerSweepReport:
    as_of: datetime
    sweep_id: str
    activated: int
    activation_overdue_flagged: int  # shipped terminals newly flagged for staff in this sweep
    activation_overdue_total: int  # all shipped terminals flagged and still not active
    volumes_refreshed: int
    refunded: int
    forfeited: int
    suspended: int
    quarantined: int  # terminals newly quarantined (or with a new reason) in this sweep
    released: int  # quarantined terminals this sweep could process again
    quarantined_total: int  # all terminals in quarantine after this sweep

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "as_of": self.as_of.isoformat()}


def ledger_limits(settings: Settings) -> LedgerLimits:
    return LedgerLimits(max_transaction_fen=settings.ledger_max_transaction_fen,
                        max_terminal_fen=settings.ledger_max_terminal_fen,
                        future_skew=timedelta(minutes=settings.ledger_future_skew_minutes))


def _require_aware(as_of: datetime) -> None:
    if as_of.tzinfo is None:
        raise LedgerError("as_of needs a UTC offset")


def sweep_ledger(services: Services, as_of: datetime) -> LedgerSweepReport:
    _require_aware(as_of)
    policies = policies_of(services)
    limits = ledger_limits(services.settings)
    awake_after = {model: surely_awake_after(policy, as_of) for model, policy in policies.items()}
    # Names the rows this run changes (their `sweep_id` column) and goes into its audit events.
    sweep_id = secrets.token_hex(8)
    tally: Counter[str] = Counter()
    after = ""
    while True:
        def sweep_batch(uow: UnitOfWork, after: str = after) -> tuple[list[SweepOutcome], str | None]:
            facts = uow.ledger.sweep.candidates(as_of, after, BATCH, awake_after)
            outcomes = [sweep_terminal(f, policies, limits, as_of, actor=ACTOR, sweep_id=sweep_id) for f in facts]
            uow.ledger.sweep.write(outcomes, sweep_id, as_of)
            decided = uow.ledger.sweep.decided_in([o.deposit.application_id for o in outcomes if o.decided])
            uow.ledger.enqueue_new([message for row in decided for message in deposit_notices(_facts(row), as_of)])
            return outcomes, facts[-1].terminal.serial_number if facts else None

        outcomes, last = _in_transaction(services, sweep_batch)
        tally.update(_counts(outcomes))
        if last is None:
            break
        after = last
    with services.uow() as uow:
        overdue, quarantined = uow.ledger.sweep.overdue_activations(), uow.ledger.sweep.quarantined()
    return LedgerSweepReport(
        as_of=as_of, sweep_id=sweep_id, activated=tally["activated"], activation_overdue_flagged=tally["flagged"],
        activation_overdue_total=overdue, volumes_refreshed=tally["counted"], refunded=tally[DepositState.REFUNDED],
        forfeited=tally[DepositState.FORFEITED], suspended=tally["suspended"], quarantined=tally["quarantined"],
        released=tally["released"], quarantined_total=quarantined)


def _counts(outcomes: list[SweepOutcome]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for o in outcomes:
        counts.update(name for name, happened in (
            ("activated", o.activated), ("flagged", o.flagged), ("counted", o.deposit_changed),
            ("suspended", o.suspended), ("quarantined", o.quarantined), ("released", o.released)) if happened)
        if o.decided:
            counts[str(o.decided)] += 1
    return counts


def _facts(row: dict[str, Any]) -> DepositFacts:
    return DepositFacts(application_id=row["application_id"], state=DepositState(row["state"]),
                        serial_number=row["terminal_sn"], amount_fen=row["amount_fen"],
                        threshold_fen=row["threshold_fen"], window_days=row["window_days"],
                        volume_fen=row["qualifying_volume_fen"], account_number=row["settlement_number"],
                        email=row["email"], phone=row["phone"])


def _in_transaction(services: Services, work: Callable[[UnitOfWork], Result]) -> Result:
    """Runs `work` and commits; a deadlock with a concurrent sweep, or a row changed since it was read, rolls
    back and runs it again."""
    for attempt in range(_ATTEMPTS):
        try:
            with services.uow() as uow:
                result = work(uow)
                uow.commit()
                return result
        except (DBAPIError, LedgerChangedMeanwhile) as error:
            retryable = (isinstance(error, LedgerChangedMeanwhile)
                         or getattr(error.orig, "sqlstate", None) in _RETRYABLE_SQLSTATES)
            if not retryable or attempt == _ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.01, 0.1) * (attempt + 1))
    raise AssertionError("unreachable")


def deposits_report(services: Services, as_of: datetime) -> dict[str, Any]:
    """Deposit counts and totals by state; what falls due in the next 7 days; reconciliation.

    `due_next_7_days` lists held deposits a sweep will decide within 7 days of `as_of`:
    reason `threshold_reached` — qualifying volume (counted up to `as_of`) already at the threshold, so the
    next sweep refunds it; reason `deadline_within_7_days` — still short, deadline at most 7 days away (or
    passed, awaiting a sweep): refunded if the volume gets there by the deadline, otherwise forfeited.
    `reconciliation.mismatches` lists terminals whose deposit's recorded volume differs from a count of their
    transactions over the same window and cut-off (e.g. a late batch with back-dated rows, a voided batch).
    A deposit whose terminal's transactions have not changed since its volume was recorded is consistent by
    construction; the others (`recounted`) are counted again by the same rules the sweep uses.
    """
    _require_aware(as_of)
    policies = policies_of(services)
    horizon = as_of + timedelta(days=DUE_WITHIN_DAYS)
    with services.uow() as uow:
        totals = uow.ledger.report.totals_by_state()
        open_deposits = uow.ledger.report.open_deposits(as_of)
        volumes = _count_again(uow, policies, [c for c in open_deposits if c.stale], lambda deposit: as_of)
        changed = uow.ledger.report.changed_since_counted()
        recounted = _count_again(uow, policies, changed, lambda deposit: deposit.volume_as_of)
        checked = uow.ledger.report.counted_deposits()
        overdue = uow.ledger.sweep.overdue_activations()
    due = []
    for counted in open_deposits:
        deposit = counted.deposit
        volume = volumes.get(deposit.application_id, deposit.qualifying_volume_fen)
        reached = deposit_outcome(deposit.threshold_fen, deposit.deadline, volume, as_of) == DepositState.REFUNDED
        if reached or deposit.deadline <= horizon:
            due.append({"application_id": deposit.application_id, "terminal_sn": deposit.terminal_sn,
                        "amount_fen": deposit.amount_fen, "qualifying_volume_fen": volume,
                        "threshold_fen": deposit.threshold_fen, "deadline": deposit.deadline.isoformat(),
                        "reason": "threshold_reached" if reached else "deadline_within_7_days"})
    mismatches = [
        {"application_id": c.deposit.application_id, "terminal_sn": c.deposit.terminal_sn, "state": str(c.deposit.state),
         "ledger_fen": c.deposit.qualifying_volume_fen, "transactions_fen": recounted[c.deposit.application_id],
         "difference_fen": c.deposit.qualifying_volume_fen - recounted[c.deposit.application_id]}
        for c in changed
        if c.deposit.application_id in recounted and recounted[c.deposit.application_id] != c.deposit.qualifying_volume_fen]
    due.sort(key=lambda row: (row["deadline"], row["application_id"]))
    return {
        "as_of": as_of.isoformat(),
        "deposits": {str(state): {"count": totals.get(str(state), (0, 0))[0],
                                  "amount_fen": totals.get(str(state), (0, 0))[1]} for state in DepositState},
        "due_next_7_days": due,
        "refunds_due_fen": sum(row["amount_fen"] for row in due if row["reason"] == "threshold_reached"),
        "activation_overdue": overdue,
        "reconciliation": {"deposits_checked": checked, "recounted": len(recounted),
                           "mismatches": sorted(mismatches, key=lambda m: m["terminal_sn"])},
    }


def _count_again(uow: UnitOfWork, policies: DepositPolicies, counted: list[CountedDeposit],
                 cut_off: Callable[[Deposit], datetime]) -> dict[str, int]:
    """application id → qualifying volume counted again from the transactions, up to each deposit's cut-off.
    Deposits of a device model without a policy are left out (the sweep quarantines their terminals)."""
    volumes: dict[str, int] = {}
    countable = [c for c in counted if c.model in policies.models]
    for start in range(0, len(countable), BATCH):
        chunk = countable[start:start + BATCH]
        until = max(cut_off(c.deposit) for c in chunk)
        found = uow.ledger.transactions_of([c.deposit.terminal_sn for c in chunk], until)
        for c in chunk:
            deposit = c.deposit
            volumes[deposit.application_id] = qualifying_volume(
                found.get(deposit.terminal_sn, []), policies.for_model(c.model), window_of(deposit), cut_off(deposit))
    return volumes
