"""`onboard report`: the staff monitoring page (HTML + chart files) and, with --json, its numbers."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Optional

import typer

from onboarding.cli.common import cli_services, emit
from onboarding.cli.errors import CliError, handles_errors
from onboarding.cli.inputs import parse_as_of


def _human(data: dict[str, Any]) -> None:
    states = ", ".join(f"{s['state']} {s['total']}" for s in data["by_state"] if s["total"])
    typer.echo(f"report written to {data['page']}")
    typer.echo(f"{data['total_applications']} application(s) as of {data['as_of']}" + (f": {states}" if states else ""))


@handles_errors
def report(
    out: Path = typer.Option(..., "--out", help="Directory for index.html and the chart files (created if missing)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="ISO 8601 with offset; default now."),
    json_: bool = typer.Option(False, "--json", help="Print exactly one JSON document on stdout."),
) -> None:
    """Staff monitoring: applications per state, time in state, deficiencies, rounds, time to approval."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.reporting.build import ReportOutputError, build_report

    moment = parse_as_of(as_of)
    try:
        funnel, page = build_report(cli_services(), out, moment)
    except ReportOutputError as error:
        raise CliError(str(error)) from None
    data = {**funnel.model_dump(mode="json"), "page": str(page)}
    emit(data, json_, _human)
