"""Applications submitted one at a time without --wait, as staff type them, on a new installation.

    .venv/bin/python bench/no_wait_submissions.py [--count 10] [--onboard PATH ...]

Each `--onboard` (default: this checkout's `.venv/bin/onboard`; give another checkout's to compare) gets a
fresh ONBOARD_HOME; the runs alternate. Measured: seconds until every application is decided and until no
background runner is left, machine CPU seconds over that time (from /proc/stat, so other load counts too), and
applications never decided (within --timeout).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def machine_busy_s() -> float:
    with open("/proc/stat") as stat:
        user, nice, system, _idle, _iowait, irq, softirq, *_ = map(int, stat.readline().split()[1:])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def undecided(home: Path) -> int:
    with sqlite3.connect(home / "onboard.db") as db:
        return db.execute("SELECT COUNT(*) FROM applications WHERE state IN ('submitted', 'checking')").fetchone()[0]


def runners_left(home: Path) -> bool:
    found = subprocess.run(["pgrep", "-f", "onboarding.cli.main rerun"], capture_output=True, text=True).stdout.split()
    return any(f"ONBOARD_HOME={home}".encode() in Path(f"/proc/{pid}/environ").read_bytes()
               for pid in found if Path(f"/proc/{pid}/environ").exists())


def one_run(onboard: str, samples, home: Path, timeout_s: float) -> dict:
    env = {**os.environ, "ONBOARD_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "OMP_THREAD_LIMIT": "1"}
    env.pop("PREFECT_API_URL", None)
    started, busy = time.monotonic(), machine_busy_s()
    for app in samples:
        subprocess.run([onboard, "submit", app.application_file, *app.doc_arguments(), "--json"], env=env, check=True,
                       capture_output=True)
    submitted_s = time.monotonic() - started
    while undecided(home) and time.monotonic() - started < timeout_s:
        time.sleep(0.25)
    decided_s = time.monotonic() - started
    while runners_left(home) and time.monotonic() - started < timeout_s:
        time.sleep(0.25)
    return {"submitted_s": round(submitted_s, 1), "decided_s": round(decided_s, 1),
            "runners_gone_s": round(time.monotonic() - started, 1),
            "machine_cpu_s": round(machine_busy_s() - busy, 1), "never_decided": undecided(home)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--onboard", action="append", help="an onboard executable (repeat to compare)")
    args = parser.parse_args()
    from bench.engine_overhead.samples import build_sample_set

    scratch = Path(tempfile.mkdtemp(prefix="no-wait-"))
    samples = build_sample_set(scratch / "samples", args.count, date.today())
    executables = args.onboard or [str(REPO / ".venv" / "bin" / "onboard")]
    for round_number in range(args.rounds):
        for onboard in executables:
            home = scratch / "home"
            shutil.rmtree(home, ignore_errors=True)
            print(json.dumps({"onboard": onboard, "round": round_number + 1, "applications": args.count,
                              **one_run(onboard, samples, home, args.timeout)}), flush=True)
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
