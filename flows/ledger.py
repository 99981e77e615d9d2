"""Load a transaction batch, then sweep everything due. Orchestration only; the work is in onboarding.service.

Both steps are idempotent (a batch by its sha256 and txn ids, the sweep by conditional updates), so a
rerun after a crash at any point repeats nothing.
"""
from __future__ import annotations

from datetime import datetime

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from onboarding.bootstrap import get_services
from onboarding.service.sweep import run_sweep
from onboarding.service.transactions import import_transactions

# Our own database records what is done; Prefect's result cache would be a second, weaker copy.
STEP = dict(cache_policy=NO_CACHE, persist_result=False)


@task(name="import-transactions", retries=2, retry_delay_seconds=2, **STEP)
def import_batch(csv_path: str) -> dict:
    return import_transactions(get_services(), csv_path).to_dict()


@task(name="sweep", retries=2, retry_delay_seconds=2, **STEP)
def sweep(as_of: datetime) -> dict:
    """Reminders, expiries, activations, refunds, forfeits, suspensions, then the outbox."""
    return run_sweep(get_services(), as_of)


@flow(name="ledger-import-and-sweep", log_prints=True)
def import_and_sweep(csv_path: str | None = None, as_of: str | None = None) -> dict:
    """`as_of`: ISO 8601 with offset; default now. Without `csv_path` it only sweeps (the scheduled run)."""
    moment = datetime.fromisoformat(as_of) if as_of else get_services().clock()
    if moment.tzinfo is None:
        raise ValueError(f"as_of {as_of!r} needs a UTC offset")
    imported = import_batch(csv_path) if csv_path else None
    swept = sweep(moment)
    return {"import": imported, "sweep": swept}
