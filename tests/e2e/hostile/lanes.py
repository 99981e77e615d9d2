"""Running many hostile cases through the CLI quickly: a few lanes in parallel, each its own installation.

Each lane has a CLI fork server (tests/support/cli_forkserver.py): every case is still its own
`onboard` process with its own stdout, stderr and exit status, without paying for Python's start-up
and the engine's imports each time. Within a lane the cases run one after another, so a state
change is pinned on exactly the case that made it; `onboard status --json` is compared at the
lane's start and end.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from tests.support.cli_forkserver import ForkServer
from tests.support.cli_process import CliRun, base_environment, refusal_environment, refusal_problems
from tests.support.hostile_cases import HostileCase
from tests.support.installation import home_state, seed_one_application

# Clocks, and whether an undecided application's run is starting or (after a while with no runner) stalled.
VOLATILE_STATUS_FIELDS = ("age_hours", "in_state_hours", "request_age_hours", "sla", "run", "blocker")
CASE_TIMEOUT_SECONDS = 120


class CliRunner(Protocol):
    def __call__(self, *args: str, cwd: Path) -> CliRun: ...


@dataclass
class LaneReport:
    ran: list[str] = field(default_factory=list)
    failures: dict[str, list[str]] = field(default_factory=dict)


def forked_cli(server: ForkServer, home: Path) -> CliRunner:
    env = refusal_environment(home)
    return lambda *args, cwd: server.run(list(args), env, cwd, CASE_TIMEOUT_SECONDS)


def stable_status(run: CliRun) -> list[dict]:
    assert run.exit_code == 0, run.stderr
    return [{k: v for k, v in row.items() if k not in VOLATILE_STATUS_FIELDS} for row in run.json()]


def case_problems(case: HostileCase, home: Path, workdir: Path, cli: CliRunner) -> list[str]:
    """Run one case against `home` and say everything that is wrong with the outcome."""
    folder = workdir / case.family / case.name
    folder.mkdir(parents=True)
    before = home_state(home)
    # --wait keeps a wrongly accepted case from leaving a detached flow process behind.
    run = cli("submit", *case.prepare(folder), "--wait", cwd=folder)
    problems = refusal_problems(run, case.mentions)
    problems += [f"state changed: {change}" for change in before.differences(home_state(home))]
    return problems


def run_lane(cases: list[HostileCase], home: Path, workdir: Path, cli: CliRunner) -> LaneReport:
    """`home` must already hold its seed application."""
    report = LaneReport()
    workdir.mkdir(parents=True, exist_ok=True)
    status_before = stable_status(cli("status", "--json", cwd=workdir))
    for case in cases:
        report.ran.append(case.id)
        if problems := case_problems(case, home, workdir, cli):
            report.failures[case.id] = problems
    status_after = stable_status(cli("status", "--json", cwd=workdir))
    if status_before != status_after:
        report.failures[f"lane {home.name}: onboard status --json"] = [f"changed: {status_before} -> {status_after}"]
    return report


def run_in_lanes(cases: list[HostileCase], root: Path, lanes: int) -> LaneReport:
    batches = [cases[i::lanes] for i in range(lanes)]
    homes = [root / f"home-{i}" for i in range(lanes)]
    for home in homes:  # seeding maps the ORM on first use, which is not thread-safe: do it up front
        seed_one_application(home)
    servers = [ForkServer(base_environment()) for _ in range(lanes)]
    try:
        with ThreadPoolExecutor(max_workers=lanes) as pool:
            futures = [pool.submit(run_lane, batch, home, root / f"work-{i}", forked_cli(server, home))
                       for i, (batch, home, server) in enumerate(zip(batches, homes, servers))]
            reports = [future.result() for future in futures]
    finally:
        for server in servers:
            server.close()
    merged = LaneReport()
    for report in reports:
        merged.ran += report.ran
        merged.failures.update(report.failures)
    return merged


def describe(failures: dict[str, list[str]]) -> str:
    return "\n".join(f"- {case}: " + "; ".join(problems) for case, problems in sorted(failures.items()))
