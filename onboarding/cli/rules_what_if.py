"""`onboard rules what-if DIR`: which applications in flight candidate rules would decide differently.

Registered in `onboarding.cli.main` as `rules_app.command("what-if")(what_if)`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from onboarding.cli.common import JsonFlag, cli_services, emit
from onboarding.cli.errors import handles_errors

CandidateDir = Annotated[Path, typer.Argument(help="Candidate rule files: ruleset.yaml and deficiencies.yaml.")]


@handles_errors
def what_if(directory: CandidateDir, json_: JsonFlag = False) -> None:
    """Decide every application in flight with the current and the candidate rules; list what would change.

    Uses the fields OCR already extracted and the staff waivers in force; writes nothing.
    """
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.what_if import what_if_in_flight
    from rules.ruleset import load_ruleset

    # Before touching the database: a broken candidate is the commonest mistake and needs no services.
    candidate = load_ruleset(directory)
    report = what_if_in_flight(cli_services(), candidate)
    emit(report.as_json(), json_, print_report)


def print_report(data: dict) -> None:
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.cli.render import _console, _state

    console = _console()
    if data["changed"]:
        table = Table("application", "outcome", "added", "removed",
                      title=f"Rules {data['rules_before']} → {data['rules_after']}")
        for change in data["changed"]:
            before, after = change["before"]["outcome"], change["after"]["outcome"]
            outcome = _state(before) if before == after else f"{_state(before)} → {_state(after)}"
            table.add_row(change["application_id"], outcome, _findings(change["added"], "+"),
                          _findings(change["removed"], "−"))
        console.print(table)
    summary = data["summary"]
    console.print(f"evaluated {summary['evaluated']} application(s) in flight on {data['evaluated_on']}; "
                  f"{summary['changed']} would change")
    for transition in summary["by_transition"]:
        console.print(f"  {_state(transition['before'])} → {_state(transition['after'])}  {transition['count']}")


def _findings(findings: list[dict], sign: str) -> str:
    lines = []
    for finding in findings:
        where = ".".join(part for part in (finding["document_type"], finding["field"]) if part)
        lines.append(f"{sign} {finding['code']}" + (f" ({where})" if where else ""))
    return "\n".join(lines) or "—"
