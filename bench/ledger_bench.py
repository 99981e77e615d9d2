"""Ledger benchmark: N shipped terminals with held deposits, M transactions; time import and sweep.

    .venv/bin/python bench/ledger_bench.py                                  # 100,000 terminals, 2,000,000 rows
    .venv/bin/python bench/ledger_bench.py --terminals 1000 --transactions 20000   # CI size

Runs on SQLite (a fresh file) and, when a PostgreSQL URL is given or ONBOARD_TEST_POSTGRES_URL is set, on a
throw-away schema there. The terminals, applications and deposits are bulk-inserted as if `ship` had run
(a benchmark of the ledger, not of shipping); everything timed goes through the real services.
"""
from __future__ import annotations

import argparse
import csv
import os
import secrets
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BASE = datetime(2026, 1, 5, 2, 0, tzinfo=timezone.utc)
KINDS = ["sale"] * 90 + ["refund"] * 5 + ["reversal"] * 3 + ["void"] * 2
CHANNELS = ["card_swipe"] * 30 + ["card_chip"] * 35 + ["card_contactless"] * 20 + ["qr"] * 15
SILENT_SHARE = 0.05  # terminals that never transact: flagged for staff


def serial(n: int) -> str:
    return f"P2{n:08d}"


def _mix(i: int, salt: int) -> int:
    # Row i always gets the same values, so an overlapping batch repeats earlier rows exactly.
    return ((i + 1) * 2654435761 + salt * 40503) % 4294967291


def write_transactions(path: Path, terminals: int, count: int, start: int = 0) -> None:
    """`count` rows spread over the terminals that transact; each terminal's first row is an activating sale."""
    active = [n for n in range(terminals) if n % int(1 / SILENT_SHARE) != 0]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["txn_id", "terminal_sn", "occurred_at", "amount_fen", "kind", "channel"])
        for i in range(start, start + count):
            n = active[i % len(active)]
            shipped = BASE + timedelta(days=n % 10)
            if i < len(active):  # the first pass over the terminals activates them
                at, amount, kind, channel = shipped + timedelta(days=1, minutes=n % 600), 2000, "sale", "card_chip"
            else:
                at = shipped + timedelta(days=1, seconds=_mix(i, 1) % (70 * 86400))
                amount = 1000 + _mix(i, 2) % 129_000
                kind, channel = KINDS[_mix(i, 3) % len(KINDS)], CHANNELS[_mix(i, 4) % len(CHANNELS)]
            writer.writerow([f"TX{i:010d}", serial(n), at.isoformat(), amount, kind, channel])


def seed_shipped(services, terminals: int) -> None:
    """Applications, terminals and deposits in the state `ship` leaves them in, inserted in bulk."""
    from onboarding.adapters.ledger_tables import deposits
    from onboarding.adapters.ledger_tables import terminals as terminals_table
    from onboarding.adapters.orm import applications
    from rules.deposit_policy import load_deposit_policies

    policies = load_deposit_policies()
    policy = policies.for_model("P2")
    chunk = 5000
    with services.uow() as uow:
        for start in range(0, terminals, chunk):
            apps, terms, deps = [], [], []
            for n in range(start, min(start + chunk, terminals)):
                app_id, sn, shipped = f"APP-B{n:07d}", serial(n), BASE + timedelta(days=n % 10)
                apps.append(dict(id=app_id, merchant_type="small_micro", legal_name="王昌良",
                                 id_number="440781197506032481", phone="13800138000", email=None,
                                 business_name="昌良小吃店", business_address="广东省台山市沙咀村12号",
                                 settlement_holder_name="王昌良", settlement_number="6222021234567890123",
                                 settlement_bank="中国工商银行", device_model="P2", state="shipped",
                                 state_changed_at=shipped, created_at=shipped, version=1))
                terms.append(dict(serial_number=sn, model="P2", state="shipped", application_id=app_id,
                                  added_at=shipped, assigned_at=shipped, shipped_at=shipped,
                                  activation_deadline=shipped + timedelta(days=policy.activation_window_days),
                                  merchant_code=app_id, registration_number="440781197506032481",
                                  settlement_account="6222021234567890123", install_address="广东省台山市沙咀村12号"))
                deps.append(dict(application_id=app_id, terminal_sn=sn, amount_fen=policy.amount_fen,
                                 threshold_fen=policy.threshold_fen, window_days=policy.window_days,
                                 policy_version=policies.version_label, state="held", taken_at=shipped,
                                 qualifying_volume_fen=0))
            uow.session.execute(applications.insert(), apps)
            uow.session.execute(terminals_table.insert(), terms)
            uow.session.execute(deposits.insert(), deps)
        uow.commit()


def postgres_schema(base_url: str):
    import sqlalchemy as sa

    schema = f"bench_{secrets.token_hex(4)}"
    engine = sa.create_engine(base_url)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base_url else "?"

    def drop() -> None:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()

    return f"{base_url}{separator}options=-csearch_path%3D{schema}", drop


def run(url: str, home: Path, terminals: int, files: dict[str, Path]) -> dict[str, tuple[float, str]]:
    from onboarding.bootstrap import get_services, reset_services
    from onboarding.service.deposits import deposits_report, sweep_ledger
    from onboarding.service.transactions import import_transactions

    os.environ["ONBOARD_DATABASE_URL"], os.environ["ONBOARD_HOME"] = url, str(home)
    reset_services()
    services = get_services()
    results: dict[str, tuple[float, str]] = {}

    def timed(name: str, work, describe) -> None:
        started = time.perf_counter()
        outcome = work()
        results[name] = (time.perf_counter() - started, describe(outcome))
        print(f"  {name}: {results[name][0]:.1f} s  {results[name][1]}", file=sys.stderr, flush=True)

    timed("seed shipped terminals", lambda: seed_shipped(services, terminals), lambda _: f"{terminals:,} terminals")
    timed("import batch", lambda: import_transactions(services, files["main"]), lambda r: f"{r.new:,} new rows")
    timed("import same file again", lambda: import_transactions(services, files["main"]),
          lambda r: f"duplicate batch: {r.duplicate_batch}")
    timed("import overlapping batch", lambda: import_transactions(services, files["overlap"]),
          lambda r: f"{r.rows:,} rows, {r.new:,} new")
    as_of = BASE + timedelta(days=80)
    timed("sweep", lambda: sweep_ledger(services, as_of),
          lambda r: f"{r.activated:,} activated, {r.refunded:,} refunded, {r.forfeited:,} forfeited, "
                    f"{r.activation_overdue_flagged:,} flagged")
    timed("sweep again (nothing to do)", lambda: sweep_ledger(services, as_of), lambda r: f"{r.refunded} refunded")
    timed("deposits report", lambda: deposits_report(services, as_of),
          lambda r: f"{r['reconciliation']['deposits_checked']:,} reconciled, "
                    f"{len(r['reconciliation']['mismatches'])} mismatches")
    reset_services()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terminals", type=int, default=100_000)
    parser.add_argument("--transactions", type=int, default=2_000_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=os.environ.get("ONBOARD_TEST_POSTGRES_URL"))
    args = parser.parse_args()

    # The CSVs and the SQLite file come to about 1 GB at full size: removed when done.
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as scratch:
        results = bench(args, Path(scratch))
    print_table(results, args.terminals, args.transactions)


def bench(args: argparse.Namespace, work: Path) -> dict:
    files = {"main": work / "batch.csv", "overlap": work / "overlap.csv"}
    started = time.perf_counter()
    write_transactions(files["main"], args.terminals, args.transactions)
    tenth = max(1, args.transactions // 10)
    write_transactions(files["overlap"], args.terminals, 2 * tenth, start=args.transactions - tenth)
    print(f"generated {args.transactions:,} rows ({files['main'].stat().st_size / 1e6:.0f} MB) in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)

    results = {}
    for database in args.databases.split(","):
        print(f"{database}:", file=sys.stderr)
        if database == "sqlite":
            results[database] = run(f"sqlite:///{work / 'bench.db'}", work / "home", args.terminals, files)
        elif args.postgres_url:
            url, drop = postgres_schema(args.postgres_url)
            try:
                results[database] = run(url, work / "home-pg", args.terminals, files)
            finally:
                from onboarding.adapters.database import engine_for

                engine_for(url).dispose()
                drop()
        else:
            print("  skipped: no --postgres-url / ONBOARD_TEST_POSTGRES_URL", file=sys.stderr)
    return results


def print_table(results: dict, terminals: int, transactions: int) -> None:
    from rich.console import Console
    from rich.table import Table

    databases = list(results)
    table = Table("step", *[f"{d} s" for d in databases], "outcome",
                  title=f"Ledger: {terminals:,} terminals, {transactions:,} transactions")
    for step in next(iter(results.values()), {}):
        table.add_row(step, *[f"{results[d][step][0]:.1f}" for d in databases], results[databases[-1]][step][1])
    rates = [f"{transactions / results[d]['import batch'][0]:,.0f}" for d in databases]
    table.add_row("import rate, rows/s", *rates, "")
    Console().print(table)


if __name__ == "__main__":
    main()
