#!/usr/bin/env python
"""What it costs Prefect to show each batch member as its own run (issue 16, item 4's open question).

Three shapes of one batch of N applications, each member doing nothing but what Prefect records (its work is
a no-op, so only the orchestration cost is measured), against one Prefect API server in a subprocess:

- tasks (today): one `onboard-batch` flow run, one `check-<id>` task run per member (ThreadPoolTaskRunner);
- the same, the batch's flow run tagged with every member's id (found by a tag filter on any of them);
- subflows: one `onboard-batch` flow run, one `onboard-<id>` subflow run per member, with its `check-<id>` task;
- tagged runs: one top-level `onboard-<id>` flow run per member, with its task, tagged with the batch's name.

    nice -n 10 .venv/bin/python bench/batch_members_cost.py --members 40 --repeats 2

Prints per-member wall and CPU (this process, and the API server) for each shape, medians over the repeats.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
CLOCK = os.sysconf("SC_CLK_TCK")


def _descendants_cpu_s() -> float:
    """CPU seconds of every live descendant of this process (the API server and its workers)."""
    table = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                fields = Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            table[int(entry.name)] = (int(fields[1]), sum(int(f) for f in fields[11:15]) / CLOCK)
    total, todo = 0.0, [os.getpid()]
    while todo:
        parent = todo.pop()
        for pid, (ppid, cpu) in table.items():
            if ppid == parent:
                total += cpu
                todo.append(pid)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

    from prefect import flow, tags, task
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.task_runners import ThreadPoolTaskRunner
    from prefect.testing.utilities import prefect_test_harness

    @task(name="check", task_run_name="check-{application_id}")
    def check(application_id: str) -> str:
        return application_id

    @flow(name="onboard-application", flow_run_name="onboard-{application_id}")
    def member(application_id: str) -> str:
        return check(application_id)

    @flow(name="onboard-batch", flow_run_name="onboard-batch-{name}", task_runner=ThreadPoolTaskRunner(max_workers=8))
    def batch_of_tasks(ids: list[str], name: str) -> list[str]:
        return [future.result() for future in [check.submit(i) for i in ids]]

    @flow(name="onboard-batch", flow_run_name="onboard-batch-{name}")
    def batch_of_subflows(ids: list[str], name: str) -> list[str]:
        return [member(i) for i in ids]

    def tasks_tagged_batch(ids: list[str], name: str) -> list[str]:
        with tags("batch", *ids):  # the batch's one flow run found by filtering on any member's id
            return batch_of_tasks(ids, name)

    def tagged_runs(ids: list[str], name: str) -> list[str]:
        with tags("batch", f"batch-{name}"):
            return [member(i) for i in ids]

    shapes = {"tasks (today)": batch_of_tasks, "tasks, the batch's run tagged with every member's id": tasks_tagged_batch,
              "subflow run per member": batch_of_subflows,
              "tagged flow run per member": tagged_runs}
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in shapes}
    # As the embedded default runs them (flows/launch.py): no heartbeat thread per flow run.
    with prefect_test_harness(server_startup_timeout=180), \
            temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        batch_of_tasks(["APP-WARMUP"], "warm-up")  # imports, first client, server's first queries
        member("APP-WARMUP")
        for repeat in range(args.repeats):
            for name, run in shapes.items():
                ids = [f"APP-{repeat}{n:05d}" for n in range(args.members)]
                cpu_self, cpu_server = time.process_time(), _descendants_cpu_s()
                started = time.perf_counter()
                assert run(ids, f"{repeat}-{len(ids)}") == ids
                wall = time.perf_counter() - started
                results[name].append((wall, time.process_time() - cpu_self, _descendants_cpu_s() - cpu_server))
                print(f"[members] {name} #{repeat + 1}: {wall:.1f} s", file=sys.stderr, flush=True)
    print(f"{args.members} members per batch, median of {args.repeats}; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores\n")
    print("| shape | wall ms per member | CPU ms per member, this process | CPU ms per member, API server |")
    print("|---|---|---|---|")
    for name, rows in results.items():
        wall, own, server = (statistics.median(r[i] for r in rows) * 1000 / args.members for i in range(3))
        print(f"| {name} | {wall:.0f} | {own:.0f} | {server:.0f} |")


if __name__ == "__main__":
    main()
