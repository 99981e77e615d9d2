"""The ledger benchmark's steps (`bench/ledger_bench.py`) on two versions of the code, side by side in one run:
each version seeds its own database with the same generated batch, then rounds alternate between the
versions, each on a fresh copy: import an overlapping batch, sweep, sweep again, deposits report.

    .venv/bin/python bench/ledger_before_after.py --before bffef08                       # 20,000 terminals
    .venv/bin/python bench/ledger_before_after.py --before bffef08 --databases sqlite --rounds 1   # quick

SQLite runs in the measuring process, so its CPU time is reported next to the wall time (less sensitive to
other load on a shared machine); PostgreSQL's work is in the server, so only wall time is reported for it.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.sweep_before_after import env_for, export  # noqa: E402

STEPS = ("import overlapping batch", "sweep", "sweep again (nothing to do)", "deposits report")

# Runs inside a version's tree: `prepare` seeds and imports the main batch; `time` times the steps on a copy.
WORKER = r'''
import json, os, sys, time
from datetime import timedelta
from pathlib import Path
mode, work, terminals = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
from bench import ledger_bench
from onboarding.bootstrap import get_services
from onboarding.service.deposits import deposits_report, sweep_ledger
from onboarding.service.transactions import import_transactions
services = get_services()
if mode == "prepare":
    ledger_bench.seed_shipped(services, terminals)
    import_transactions(services, work / "batch.csv")
    sys.exit()
as_of, out = ledger_bench.BASE + timedelta(days=80), {}
with services.uow():
    pass
for name, step in (("import overlapping batch", lambda: import_transactions(services, work / "overlap.csv")),
                   ("sweep", lambda: sweep_ledger(services, as_of)),
                   ("sweep again (nothing to do)", lambda: sweep_ledger(services, as_of)),
                   ("deposits report", lambda: deposits_report(services, as_of))):
    cpu, wall = time.process_time(), time.perf_counter()
    step()
    out[name] = {"cpu_s": time.process_time() - cpu, "wall_s": time.perf_counter() - wall}
print(json.dumps(out))
'''


def postgres_copy(base_url: str, source_schema: str | None) -> tuple[str, str]:
    """A new schema (a copy of `source_schema`'s tables and data when given); returns its URL and name."""
    import secrets

    import sqlalchemy as sa

    schema = f"bench_{secrets.token_hex(4)}"
    engine = sa.create_engine(base_url)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    if source_schema:
        dump = subprocess.run(["pg_dump", "--no-owner", "-n", source_schema, _libpq(base_url)], check=True,
                              capture_output=True, text=True).stdout
        dump = dump.replace(f"{source_schema}.", f"{schema}.").replace(f"SCHEMA {source_schema}", f"SCHEMA {schema}")
        dump = dump.replace(f"CREATE SCHEMA {schema};", "")
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", _libpq(base_url)], input=dump, check=True,
                       capture_output=True, text=True)
    return f"{base_url}{'&' if '?' in base_url else '?'}options=-csearch_path%3D{schema}", schema


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def drop_schema(base_url: str, schema: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(base_url)
    with engine.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def run_worker(tree: Path, scratch: Path, mode: str, home: Path, url: str | None, terminals: int) -> dict | None:
    env = env_for(tree, home)
    if url:
        env["ONBOARD_DATABASE_URL"] = url
    done = subprocess.run([sys.executable, "-c", WORKER, mode, str(scratch), str(terminals)], env=env, cwd=tree,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{tree} {mode}: {done.stderr[-2000:]}")
    return json.loads(done.stdout) if mode == "time" else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True)
    parser.add_argument("--terminals", type=int, default=20_000)
    parser.add_argument("--transactions", type=int, default=400_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=os.environ.get("ONBOARD_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    from bench import ledger_bench

    results: dict[str, dict[str, list[dict]]] = {}
    with tempfile.TemporaryDirectory(prefix="ledger-before-after-") as name:
        scratch = Path(name)
        ledger_bench.write_transactions(scratch / "batch.csv", args.terminals, args.transactions)
        tenth = max(1, args.transactions // 10)
        ledger_bench.write_transactions(scratch / "overlap.csv", args.terminals, 2 * tenth,
                                        start=args.transactions - tenth)
        trees = {"before": export(args.before, scratch / "before"), "after": REPO}
        for database in args.databases.split(","):
            if database == "postgresql" and not args.postgres_url:
                print("postgresql skipped: no --postgres-url / ONBOARD_TEST_POSTGRES_URL", file=sys.stderr)
                continue
            results[database] = measure(database, trees, scratch, args)
    print_table(args, results)


def measure(database: str, trees: dict[str, Path], scratch: Path, args) -> dict[str, list[dict]]:
    seeded: dict[str, tuple[Path, str | None]] = {}
    for name, tree in trees.items():
        home = scratch / f"home-{database}-{name}"
        url, schema = postgres_copy(args.postgres_url, None) if database == "postgresql" else (None, None)
        run_worker(tree, scratch, "prepare", home, url, args.terminals)
        seeded[name] = (home, schema)
        print(f"{database}: seeded {name}", file=sys.stderr, flush=True)
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    for number in range(args.rounds):
        for name in (list(trees) if number % 2 == 0 else list(reversed(trees))):
            home, schema = seeded[name]
            copy = scratch / "run-home"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(home, copy)
            url, copied = postgres_copy(args.postgres_url, schema) if schema else (None, None)
            try:
                runs[name].append(run_worker(trees[name], scratch, "time", copy, url, args.terminals))
            finally:
                if copied:
                    drop_schema(args.postgres_url, copied)
            print(f"{database} round {number + 1} {name}: {runs[name][-1]}", file=sys.stderr, flush=True)
    for _, schema in seeded.values():
        if schema:
            drop_schema(args.postgres_url, schema)
    return runs


def print_table(args, results: dict[str, dict[str, list[dict]]]) -> None:
    print(f"Ledger steps, {args.terminals:,} terminals and {args.transactions:,} transactions, before = "
          f"{args.before}, after = this checkout; median of {args.rounds} alternating rounds; load average at the "
          f"end {os.getloadavg()[0]:.1f}\n")
    print("| step | database | before wall s | after wall s | before CPU s | after CPU s | after / before |")
    print("|---|---|---|---|---|---|---|")
    for database, runs in results.items():
        for step in STEPS:
            figures = {name: {key: statistics.median(run[step][key] for run in runs[name])
                              for key in ("wall_s", "cpu_s")} for name in runs}
            key = "cpu_s" if database == "sqlite" else "wall_s"
            ratio = figures["after"][key] / max(figures["before"][key], 1e-9)
            cpu = [f"{figures[n]['cpu_s']:.2f}" if database == "sqlite" else "—" for n in ("before", "after")]
            print(f"| {step} | {database} | {figures['before']['wall_s']:.2f} | {figures['after']['wall_s']:.2f} | "
                  f"{cpu[0]} | {cpu[1]} | {ratio:.2f} ({'CPU' if database == 'sqlite' else 'wall'}) |")


if __name__ == "__main__":
    main()
