"""The ledger sweep (quarantine, activations, refunds, forfeits, dormant terminals) and the deposits report.

Each sweep step is one short transaction of set-based statements (see `ledger_sweep_sql`; the rules they apply
are `ledger_rules_sql`), safe to run again and alongside another sweep: a row changes only while it is still in
the state the step expects. The first step quarantines the terminals the rules cannot be applied to (amounts
above the ceilings, no policy for the device model); every later step leaves them out, so the sweep goes on
for everyone else and staff see why.
"""
from __future__ import annotations

import random
import secrets
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Callable, TypeVar

from sqlalchemy.exc import DBAPIError

from onboarding.adapters.unit_of_work import UnitOfWork
from onboarding.domain.ledger_rules import dormancy_cutoff
from onboarding.domain.terminals import DepositState, LedgerError
from onboarding.service.deposit_notices import DepositFacts, deposit_notices
from onboarding.service.merchant_links import links_for_notices
from onboarding.service.ports import SealedRecords
from onboarding.service.terminals import policies_of, rule_scope

ACTOR = "sweep"
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
    quarantined: int  # terminals newly quarantined (or for a new reason) in this sweep
    quarantine_lifted: int  # quarantined terminals the rules apply to again
    quarantined_total: int  # all terminals in quarantine after this sweep

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "as_of": self.as_of.isoformat()}


def _require_aware(as_of: datetime) -> None:
    if as_of.tzinfo is None:
        raise LedgerError("as_of needs a UTC offset")


def sweep_ledger(services: SealedRecords, as_of: datetime) -> LedgerSweepReport:
    _require_aware(as_of)
    policies = policies_of(services)
    scope = rule_scope(services)  # every step: only the terminals the rules can be applied to
    models = policies.items()
    # Marks the rows this run changes, so its follow-up inserts cover exactly those (ledger_sweep_sql).
    sweep_id = secrets.token_hex(8)

    def quarantine(uow: UnitOfWork) -> tuple[int, int]:
        return uow.ledger.sweep.quarantine(scope, as_of, ACTOR, sweep_id)

    def activate(uow: UnitOfWork) -> int:
        count = sum(uow.ledger.sweep.activate(model, policy, scope, sweep_id, as_of) for model, policy in models)
        uow.ledger.sweep.record_activations(sweep_id, as_of, ACTOR)
        return count

    def flag_overdue(uow: UnitOfWork) -> int:
        return uow.ledger.sweep.flag_overdue_activations(scope, sweep_id, as_of, ACTOR)

    def decide_deposits(uow: UnitOfWork) -> tuple[int, dict[str, int]]:
        refreshed = sum(uow.ledger.sweep.refresh_volumes(model, policy, scope, as_of) for model, policy in models)
        uow.ledger.sweep.decide_deposits(scope, sweep_id, as_of)
        uow.ledger.sweep.record_deposit_decisions(sweep_id, as_of, ACTOR)
        decided = uow.ledger.sweep.decided_in(sweep_id)
        links = links_for_notices(services, uow, [row["application_id"] for row in decided], as_of)
        uow.ledger.enqueue_new([message for row in decided
                                for message in deposit_notices(_facts(row, links.get(row["application_id"])), as_of)])
        return refreshed, {state: sum(1 for row in decided if row["state"] == state) for state in DepositState}

    def suspend(uow: UnitOfWork) -> int:
        return sum(uow.ledger.sweep.suspend_dormant(model, dormancy_cutoff(policy, as_of), scope, sweep_id, as_of,
                                                    ACTOR) for model, policy in models)

    quarantined, lifted = _in_transaction(services, quarantine)
    activated = _in_transaction(services, activate)
    flagged = _in_transaction(services, flag_overdue)
    refreshed, decided = _in_transaction(services, decide_deposits)
    suspended = _in_transaction(services, suspend)
    with services.uow() as uow:
        overdue, in_quarantine = uow.ledger.sweep.overdue_activations(), uow.ledger.sweep.quarantined()
    return LedgerSweepReport(as_of=as_of, sweep_id=sweep_id, activated=activated, activation_overdue_flagged=flagged,
                             activation_overdue_total=overdue, volumes_refreshed=refreshed,
                             refunded=decided[DepositState.REFUNDED], forfeited=decided[DepositState.FORFEITED],
                             suspended=suspended, quarantined=quarantined, quarantine_lifted=lifted,
                             quarantined_total=in_quarantine)


def _facts(row: dict[str, Any], link: str | None = None) -> DepositFacts:
    return DepositFacts(application_id=row["application_id"], state=DepositState(row["state"]),
                        serial_number=row["terminal_sn"], amount_fen=row["amount_fen"],
                        threshold_fen=row["threshold_fen"], window_days=row["window_days"],
                        volume_fen=row["qualifying_volume_fen"], account_number=row["settlement_number"],
                        email=row["email"], phone=row["phone"], link=link)


def _in_transaction(services: SealedRecords, work: Callable[[UnitOfWork], Result]) -> Result:
    """Runs `work` and commits; a deadlock with a concurrent sweep rolls back and runs it again."""
    for attempt in range(_ATTEMPTS):
        try:
            with services.uow() as uow:
                result = work(uow)
                uow.commit()
                return result
        except DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) not in _RETRYABLE_SQLSTATES or attempt == _ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.01, 0.1) * (attempt + 1))
    raise AssertionError("unreachable")


def deposits_report(services: SealedRecords, as_of: datetime) -> dict[str, Any]:
    """Deposit counts and totals by state; what falls due in the next 7 days; reconciliation.

    `due_next_7_days` lists held deposits a sweep will decide within 7 days of `as_of`:
    reason `threshold_reached` — qualifying volume (counted up to `as_of`) already at the threshold, so the
    next sweep refunds it; reason `deadline_within_7_days` — still short, deadline at most 7 days away (or
    passed, awaiting a sweep): refunded if the volume gets there by the deadline, otherwise forfeited.
    `reconciliation.mismatches` lists terminals whose deposit's recorded volume differs from the sum of
    their transactions over the same window and cut-off (e.g. a late batch with back-dated rows, a voided one).
    Terminals in quarantine are left out of both (their sums may not even fit in 64 bits) and counted apart.
    """
    _require_aware(as_of)
    policies = policies_of(services)
    scope = rule_scope(services)
    with services.uow() as uow:
        report = uow.ledger.report
        totals = report.totals_by_state()
        due = [row for model, policy in policies.items()
               for row in report.due(model, policy, scope, as_of, DUE_WITHIN_DAYS)]
        checked, mismatches = 0, []
        for model, policy in policies.items():
            count, found = report.volume_mismatches(model, policy, scope)
            checked += count
            mismatches.extend(found)
        overdue, quarantined = uow.ledger.sweep.overdue_activations(), uow.ledger.sweep.quarantined()
    due.sort(key=lambda row: (row["deadline"], row["application_id"]))
    return {
        "as_of": as_of.isoformat(),
        "deposits": {str(state): {"count": totals.get(str(state), (0, 0))[0],
                                  "amount_fen": totals.get(str(state), (0, 0))[1]} for state in DepositState},
        "due_next_7_days": [
            {"application_id": row["application_id"], "terminal_sn": row["terminal_sn"],
             "amount_fen": int(row["amount_fen"]), "qualifying_volume_fen": int(row["volume"]),
             "threshold_fen": int(row["threshold_fen"]), "deadline": row["deadline"].isoformat(),
             "reason": "threshold_reached" if row["reached"] else "deadline_within_7_days"}
            for row in due
        ],
        "refunds_due_fen": sum(int(row["amount_fen"]) for row in due if row["reached"]),
        "activation_overdue": overdue,
        "terminals_quarantined": quarantined,
        "reconciliation": {"deposits_checked": checked,
                           "mismatches": sorted(mismatches, key=lambda m: m["terminal_sn"])},
    }
