#!/usr/bin/env python
"""Throughput of the three paths on the same applications, side by side in one run (issue 16, figure 6):
the raw OCR pool; `onboard batch --wait` one-shot (starts its own Prefect API and OCR pool); `onboard batch
--wait` handed to an `onboard serve` started before the clock. Then the serve's idle CPU and RSS.

    nice -n 10 .venv/bin/python bench/serve_vs_one_shot.py --count 8

Prints a markdown table; BENCHMARKS.md is not touched (bench/run_all.py owns its sections).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.engine_overhead.batch_runs import migrated_prefect_home, run_batch_cli  # noqa: E402
from bench.engine_overhead.processes import clean_env, python_command, run_measured  # noqa: E402
from bench.engine_overhead.raw_ocr import run_raw_ocr  # noqa: E402
from bench.engine_overhead.samples import build_sample_set  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tree(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = {pid}, [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def cpu_and_rss(pids: set[int]) -> tuple[float, float]:
    cpu = rss = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        cpu += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        rss += int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    return cpu, rss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--idle-seconds", type=float, default=60)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="serve-bench-"))
    samples_dir = scratch / "samples"
    samples = build_sample_set(samples_dir / "apps", args.count, date.today())
    batch_dir = samples_dir / "apps"
    (batch_dir / "manifest.json").rename(samples_dir / "manifest.json")  # not an application folder

    raw = run_raw_ocr(samples)
    template = migrated_prefect_home(scratch)
    one_shot = run_batch_cli(batch_dir, scratch / "one-shot", template)

    home = scratch / "serve-home"
    ports = [str(free_port()) for _ in range(3)]
    serve = subprocess.Popen(
        python_command("-m", "onboarding.cli.main", "serve", "--portal-port", ports[0], "--backoffice-port", ports[1],
                       "--prefect-port", ports[2], "--no-sweep"),
        env=clean_env(home), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        started = time.monotonic()
        lines = [serve.stdout.readline() for _ in range(3)]
        serve_ready_s = time.monotonic() - started
        time.sleep(10)  # the runner's imports
        handed = run_measured(python_command("-m", "onboarding.cli.main", "batch", str(batch_dir), "--wait", "--json"),
                              clean_env(home), scratch=scratch / "handed").check()
        time.sleep(5)
        pids = tree(serve.pid)
        cpu_before, _ = cpu_and_rss(pids)
        time.sleep(args.idle_seconds)
        cpu_after, rss = cpu_and_rss(pids)
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)

    handed_states = json.loads(handed.stdout)["applications"]
    docs = raw.documents
    rows = [("raw OCR pool", raw.wall_s, 1.0),
            ("`onboard batch --wait`, one-shot", one_shot.process.wall_s, raw.wall_s / one_shot.process.wall_s),
            ("`onboard batch --wait` handed to a running `onboard serve`", handed.wall_s, raw.wall_s / handed.wall_s)]
    print(f"{args.count} applications, {docs} OCR documents; load average at the end "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; serve's endpoints up after {serve_ready_s:.1f} s "
          f"({', '.join(line.strip() for line in lines)})\n")
    print("| path | wall s | docs/s | x raw |\n|---|---|---|---|")
    for name, wall, ratio in rows:
        print(f"| {name} | {wall:.1f} | {docs / wall:.2f} | {ratio:.2f} |")
    print(f"\nhanded-over batch: {len(handed_states)} applications decided, states "
          f"{sorted({a['state'] for a in handed_states})}; the command's CPU {handed.cpu_s:.1f} s "
          f"(one-shot command and its children: {one_shot.process.cpu_s:.1f} s)")
    print(f"serve idle: {100 * (cpu_after - cpu_before) / args.idle_seconds:.2f} % of one core over "
          f"{args.idle_seconds:.0f} s, RSS {rss:.0f} MiB over {len(pids)} processes (OCR workers warm)")


if __name__ == "__main__":
    main()
