"""Running many hostile cases through the real CLI quickly: a few lanes in parallel, each its own installation.

Within a lane the cases run one after another, so a state change is pinned on exactly the case
that made it; `onboard status --json` is compared at the lane's start and end.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.cli_process import CliRun, refusal_problems, run_onboard
from tests.support.hostile_cases import HostileCase
from tests.support.installation import home_state, seed_one_application

VOLATILE_STATUS_FIELDS = ("age_hours", "in_state_hours", "request_age_hours", "sla")


@dataclass
class LaneReport:
    ran: list[str] = field(default_factory=list)
    failures: dict[str, list[str]] = field(default_factory=dict)


def stable_status(run: CliRun) -> list[dict]:
    rows = run.json()
    return [{k: v for k, v in row.items() if k not in VOLATILE_STATUS_FIELDS} for row in rows]


def case_problems(case: HostileCase, home: Path, workdir: Path, prefect_api_url: str) -> list[str]:
    """Run one case against `home` and say everything that is wrong with the outcome."""
    folder = workdir / case.family / case.name
    folder.mkdir(parents=True)
    before = home_state(home)
    # --wait keeps a wrongly accepted case from leaving a detached flow process behind.
    run = run_onboard(home, prefect_api_url, "submit", *case.prepare(folder), "--wait", cwd=folder)
    problems = refusal_problems(run, case.mentions)
    problems += [f"state changed: {change}" for change in before.differences(home_state(home))]
    return problems


def run_lane(cases: list[HostileCase], home: Path, workdir: Path, prefect_api_url: str) -> LaneReport:
    """`home` must already hold its seed application."""
    report = LaneReport()
    workdir.mkdir(parents=True, exist_ok=True)
    status_before = run_onboard(home, prefect_api_url, "status", "--json", cwd=workdir)
    for case in cases:
        report.ran.append(case.id)
        if problems := case_problems(case, home, workdir, prefect_api_url):
            report.failures[case.id] = problems
    status_after = run_onboard(home, prefect_api_url, "status", "--json", cwd=workdir)
    if stable_status(status_before) != stable_status(status_after):
        report.failures[f"lane {home.name}: onboard status --json"] = [
            f"changed: {status_before.stdout.strip()[:300]} -> {status_after.stdout.strip()[:300]}"]
    return report


def run_in_lanes(cases: list[HostileCase], root: Path, prefect_api_url: str, lanes: int) -> LaneReport:
    batches = [cases[i::lanes] for i in range(lanes)]
    for i in range(lanes):  # seeding maps the ORM on first use, which is not thread-safe: do it up front
        seed_one_application(root / f"home-{i}")
    with ThreadPoolExecutor(max_workers=lanes) as pool:
        futures = [pool.submit(run_lane, batch, root / f"home-{i}", root / f"work-{i}", prefect_api_url)
                   for i, batch in enumerate(batches)]
        reports = [future.result() for future in futures]
    merged = LaneReport()
    for report in reports:
        merged.ran += report.ran
        merged.failures.update(report.failures)
    return merged


def describe(failures: dict[str, list[str]]) -> str:
    return "\n".join(f"- {case}: " + "; ".join(problems) for case, problems in sorted(failures.items()))
