"""Everything that becomes due with time, in one pass: `onboard sweep --as-of` and the scheduled flow."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from onboarding.adapters.database import rolled_back_sessions
from onboarding.notifications.delivery import deliver_pending
from onboarding.service.calls import flag_overdue_calls
from onboarding.service.changes import expire_changes
from onboarding.service.complaints import sweep_complaint_clocks
from onboarding.service.deposits import sweep_ledger
from onboarding.service.ports import CaseServices
from onboarding.service.request_sweep import sweep_requests
from onboarding.service.staging import sweep_staging


class SweepRefused(ValueError):
    """A sweep that would act on a time that has not come, without the user saying so."""


@contextmanager
def _collector_skips_older_objects():
    """A sweep builds rows by the hundred thousand, and the full collections their allocations trigger would each
    walk every object the process held before (modules, SQLAlchemy's caches, the services): about 1 s of a
    100,000-application sweep. Frozen meanwhile, those are skipped; unfrozen after, so nothing is held back."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def run_sweep(services: CaseServices, as_of: datetime | None = None, *, deliver: bool = True) -> dict[str, Any]:
    with _collector_skips_older_objects():
        return _sweep(services, as_of or services.clock(), deliver=deliver)


def _sweep(services: CaseServices, as_of: datetime, *, deliver: bool) -> dict[str, Any]:
    report: dict[str, Any] = {"as_of": as_of.isoformat()}
    report["requests"] = sweep_requests(services, as_of)
    report["ledger"] = sweep_ledger(services, as_of).to_dict()
    report["calls"] = {"overdue_flagged": flag_overdue_calls(services, as_of)}
    report["changes"] = {"expired": expire_changes(services, as_of)}
    report["complaints"] = sweep_complaint_clocks(services, as_of)
    if deliver:  # a dry run touches neither the outbox nor the files
        report["notifications"] = deliver_pending(services).model_dump()
        report["staging"] = sweep_staging(services)
    return report


def preview_sweep(services: CaseServices, as_of: datetime | None = None) -> dict[str, Any]:
    """What a sweep at `as_of` would do (reminders, expiries, activations, refunds, forfeits, messages), found by
    running it inside one transaction that is rolled back, with nothing delivered."""
    as_of = as_of or services.clock()
    with rolled_back_sessions(services.settings.resolved_database_url, services.sealer) as sessions:
        scratch = replace(services)
        scratch.__dict__["_sessions"] = sessions
        report = run_sweep(scratch, as_of, deliver=False)
        with scratch.uow() as uow:
            would_send = uow.outbox.count_pending(as_of, timedelta(seconds=services.settings.outbox_lease_seconds))
        report["notifications"] = {"would_send": would_send}
    return {**report, "dry_run": True}


def sweep_at(services: CaseServices, as_of: datetime | None, *, dry_run: bool, allow_future: bool,
             actor: str) -> dict[str, Any]:
    """`onboard sweep`: a time later than now is refused unless it is a dry run, or the user allows it (test and
    training installations), which the staff audit trail records."""
    now = services.clock()
    if dry_run:
        return preview_sweep(services, as_of or now)
    if as_of is not None and as_of > now:
        if not allow_future:
            raise SweepRefused(f"--as-of {as_of.isoformat()} is later than now ({now.isoformat()}): a sweep then "
                               "would expire, refund and forfeit for real; use --dry-run to see what it would do, "
                               "or --allow-future on a test or training installation")
        with services.uow() as uow:
            uow.staff.record_event(now, actor, "sweep_future", details={"as_of": as_of.isoformat(),
                                                                        "now": now.isoformat()})
            uow.commit()
    return run_sweep(services, as_of)
