"""Subprocess for figure 4: `seed` fills a fresh SQLite home; `sweep` times `run_sweep(services, as_of)`.

    python -m bench.engine_overhead.sweep_worker seed  --home H --applications 100000 --out seed.json
    python -m bench.engine_overhead.sweep_worker sweep --home H --as-of ISO --out sweep.json
    python -m bench.engine_overhead.sweep_worker parts --home COPY --as-of ISO --out parts.json

The sweep's three parts are timed by wrapping the functions `run_sweep` calls (in this process only), so the
timed call is `run_sweep` itself. Progress is committed per batch of requests, so a sweep killed at its time limit
leaves countable work behind (see `progress`).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def services_for(home: Path):
    from onboarding.bootstrap import get_services, reset_services

    os.environ["ONBOARD_HOME"] = str(home)
    reset_services()
    return get_services()


def seed(args: argparse.Namespace) -> dict:
    from bench.engine_overhead.sweep_data import seed_sweep_data

    started = time.perf_counter()
    data = seed_sweep_data(services_for(args.home), args.applications, args.transactions_per_terminal)
    return {"as_of": data.as_of.isoformat(), "request_counts": data.request_counts, "terminals": data.terminals,
            "transactions": data.transactions, "seed_s": time.perf_counter() - started}


def sweep(args: argparse.Namespace) -> dict:
    import onboarding.service.sweep as sweep_module

    services = services_for(args.home)
    with services.uow():
        pass  # engine and migrations ready before timing
    parts: dict[str, float] = {}

    def timed(name: str, function):
        def wrapper(*a, **k):
            started = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                parts[name] = time.perf_counter() - started
        return wrapper

    for name in ("sweep_requests", "sweep_ledger", "deliver_pending"):
        setattr(sweep_module, name, timed(name, getattr(sweep_module, name)))
    as_of = datetime.fromisoformat(args.as_of)
    args.started_file.write_text(str(time.time()))
    started, cpu_started = time.perf_counter(), time.process_time()
    report = sweep_module.run_sweep(services, as_of)
    return {"sweep_s": time.perf_counter() - started, "sweep_cpu_s": time.process_time() - cpu_started,
            "parts_s": parts, "report": report}


def parts(args: argparse.Namespace) -> dict:
    """On a copy of the seeded home: the set-based ledger sweep and the outbox delivery, each timed alone."""
    from onboarding.notifications.delivery import deliver_pending
    from onboarding.service.deposits import sweep_ledger

    services = services_for(args.home)
    with services.uow():
        pass
    as_of = datetime.fromisoformat(args.as_of)
    started = time.perf_counter()
    ledger = sweep_ledger(services, as_of).to_dict()
    ledger_s = time.perf_counter() - started
    started = time.perf_counter()
    delivered = deliver_pending(services).model_dump()
    return {"sweep_ledger_s": ledger_s, "ledger": ledger, "deliver_pending_s": time.perf_counter() - started,
            "delivered": delivered}


def progress(home: Path) -> dict[str, int]:
    """What a (possibly killed) sweep got done: reminders recorded and requests expired."""
    import sqlite3

    with sqlite3.connect(home / "onboard.db") as connection:
        reminders = connection.execute(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'reminder_sent'").fetchone()[0]
        expired = connection.execute(
            "SELECT COUNT(*) FROM supplementary_requests WHERE status = 'expired'").fetchone()[0]
    return {"reminders": reminders, "expired": expired}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=["seed", "sweep", "parts"])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--transactions-per-terminal", type=int, default=5)
    parser.add_argument("--as-of")
    parser.add_argument("--started-file", type=Path)
    args = parser.parse_args()
    result = {"seed": seed, "sweep": sweep, "parts": parts}[args.step](args)
    args.out.write_text(json.dumps(result, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
