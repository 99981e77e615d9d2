"""Figure 4's sweep (`run_sweep` over 100,000 applications/terminals on SQLite) on two versions of the code,
side by side in one run: the same generated data seeded by each version, then sweeps alternating between them.

    .venv/bin/python bench/sweep_before_after.py --before bffef08            # 100,000 applications, 3 rounds
    .venv/bin/python bench/sweep_before_after.py --before bffef08 --applications 2000 --rounds 1   # quick

The "before" version is exported with `git archive` into a scratch directory and run from there with the
same interpreter; "after" is this checkout. Each round copies each version's seeded home and sweeps it once
(`bench.engine_overhead.sweep_worker sweep`), the two versions in alternating order, so load from other
processes on a shared machine falls on both. Reported: wall time of `run_sweep` and of its ledger part, and
the CPU time of the whole sweeping process (less sensitive to other load than wall time).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.engine_overhead.processes import clean_env, python_command, run_measured  # noqa: E402


def export(revision: str, into: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def env_for(tree: Path, home: Path) -> dict[str, str]:
    env = clean_env(home)
    env["PYTHONPATH"] = str(tree)  # this tree's `onboarding`, `rules`, `bench` first, before the editable install
    return env


def seed(tree: Path, home: Path, scratch: Path, applications: int) -> dict:
    out = scratch / f"seed-{tree.name}.json"
    run_measured(python_command("-m", "bench.engine_overhead.sweep_worker", "seed", "--home", str(home), "--out",
                                str(out), "--applications", str(applications), "--transactions-per-terminal", "5"),
                 env_for(tree, home), scratch=scratch, cwd=tree).check()
    return json.loads(out.read_text(encoding="utf-8"))


def sweep_once(tree: Path, seeded: Path, scratch: Path, as_of: str) -> dict:
    home = scratch / f"run-{tree.name}"
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(seeded, home)
    out = scratch / f"sweep-{tree.name}.json"
    process = run_measured(python_command("-m", "bench.engine_overhead.sweep_worker", "sweep", "--home", str(home),
                                          "--out", str(out), "--as-of", as_of, "--started-file",
                                          str(scratch / "started")),
                           env_for(tree, home), scratch=scratch, cwd=tree).check()
    result = json.loads(out.read_text(encoding="utf-8"))
    shutil.rmtree(home, ignore_errors=True)
    return {"sweep_s": result["sweep_s"], "ledger_s": result["parts_s"]["sweep_ledger"],
            "requests_s": result["parts_s"]["sweep_requests"], "cpu_s": process.cpu_s,
            "ledger": result["report"]["ledger"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="git revision of the code to compare with")
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sweep-before-after-") as scratch_name:
        scratch = Path(scratch_name)
        trees = {"before": export(args.before, scratch / "before"), "after": REPO}
        homes, seeds = {}, {}
        for name, tree in trees.items():
            homes[name] = scratch / f"home-{name}"
            started = time.perf_counter()
            seeds[name] = seed(tree, homes[name], scratch, args.applications)
            print(f"seeded {name} in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        as_of = seeds["after"]["as_of"]
        runs: dict[str, list[dict]] = {name: [] for name in trees}
        for number in range(args.rounds):
            order = list(trees) if number % 2 == 0 else list(reversed(trees))
            for name in order:
                runs[name].append(sweep_once(trees[name], homes[name], scratch, as_of))
                print(f"round {number + 1} {name}: {runs[name][-1]}", file=sys.stderr, flush=True)
    print_table(args, runs, os.getloadavg())


def print_table(args: argparse.Namespace, runs: dict[str, list[dict]], load: tuple[float, float, float]) -> None:
    def median(name: str, key: str) -> float:
        return statistics.median(run[key] for run in runs[name])

    print(f"Sweep over {args.applications:,} applications/terminals (SQLite), before = {args.before}, after = "
          f"this checkout; median of {args.rounds} alternating rounds; load average at the end {load[0]:.1f}\n")
    print("| | before | after | after / before |")
    print("|---|---|---|---|")
    for key, label in (("sweep_s", "`run_sweep` wall s"), ("ledger_s", "  of which `sweep_ledger` wall s"),
                       ("requests_s", "  of which `sweep_requests` wall s"),
                       ("cpu_s", "CPU s of the sweeping process")):
        before, after = median("before", key), median("after", key)
        print(f"| {label} | {before:.1f} | {after:.1f} | {after / before:.2f} |")
    print(f"\nLedger outcome before: {runs['before'][-1]['ledger']}")
    print(f"Ledger outcome after: {runs['after'][-1]['ledger']}")


if __name__ == "__main__":
    main()
