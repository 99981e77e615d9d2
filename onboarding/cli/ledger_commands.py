"""CLI for terminals, transaction batches, deposits and shipping; registered on `onboard` by cli.main:

    app.add_typer(terminals_app, name="terminals")
    app.add_typer(transactions_app, name="transactions")
    app.add_typer(deposits_app, name="deposits")
    app.command()(ship)
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer

from onboarding.bootstrap import Services
from onboarding.cli.common import JsonFlag, cli_services, echo_pairs, emit
from onboarding.cli.errors import handles_errors
from onboarding.cli.inputs import parse_as_of as parse_optional_as_of

terminals_app = typer.Typer(no_args_is_help=True, help="Terminal inventory.")
transactions_app = typer.Typer(no_args_is_help=True, help="Transaction batches (idempotent by txn_id).")
deposits_app = typer.Typer(no_args_is_help=True, help="Deposits: what is held, refunded, forfeited, due.")


def parse_as_of(value: str | None, services: Services) -> datetime:
    """An ISO 8601 date-time with offset, or now."""
    return parse_optional_as_of(value) or services.clock()


@terminals_app.command("add")
@handles_errors
def terminals_add(serial_number: str, model: Annotated[str, typer.Option("--model", help="Device model, e.g. P2.")],
                  json_: JsonFlag = False) -> None:
    """Add one terminal to stock."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.terminals import add_terminal

    added = add_terminal(cli_services(), serial_number, model)
    emit({"serial_number": serial_number.strip(), "model": model.strip(), "added": added}, json_, echo_pairs)


@terminals_app.command("import")
@handles_errors
def terminals_import(csv_file: Path, json_: JsonFlag = False) -> None:
    """Add the terminals of a `serial_number,model` CSV to stock (all or nothing)."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.terminals import import_terminals

    emit(import_terminals(cli_services(), csv_file), json_, echo_pairs)


@transactions_app.command("import")
@handles_errors
def transactions_import(csv_file: Path, json_: JsonFlag = False) -> None:
    """Load a transaction batch; a bad row rejects the batch, rows already imported are skipped."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.transactions import import_transactions

    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.cli.render import working

    with working(f"importing {csv_file}", json_):
        report = import_transactions(cli_services(), csv_file).to_dict()
    emit(report, json_, echo_pairs)


@transactions_app.command("import-s3")
@handles_errors
def transactions_import_s3(bucket: Annotated[str, typer.Option("--bucket")],
                           prefix: Annotated[str, typer.Option("--prefix")] = "", json_: JsonFlag = False) -> None:
    """Load every .csv object under s3://BUCKET/PREFIX, each as its own batch (endpoint: ONBOARD_S3_ENDPOINT_URL)."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.transactions import import_transactions_from_s3

    reports = [r.to_dict() for r in import_transactions_from_s3(cli_services(), bucket, prefix)]
    summary = {"objects": len(reports), "new": sum(r["new"] for r in reports), "batches": reports}
    emit(summary, json_, _render_s3_import)


def _render_s3_import(summary: dict) -> None:
    for report in summary["batches"]:
        echo_pairs(report)
    typer.echo(f"{summary['objects']} objects, {summary['new']} new transactions")


@deposits_app.command("report")
@handles_errors
def deposits_report_command(
        as_of: Annotated[Optional[str], typer.Option("--as-of", help="ISO 8601 with offset; default now.")] = None,
        json_: JsonFlag = False) -> None:
    """Held / refunded / forfeited totals, what falls due in the next 7 days, reconciliation."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.deposits import deposits_report

    services = cli_services()
    emit(deposits_report(services, parse_as_of(as_of, services)), json_, _render_report)


@handles_errors
def ship(application_id: str, sn: Annotated[Optional[str], typer.Option("--sn", help="Serial number packed.")] = None,
         json_: JsonFlag = False) -> None:
    """Ship an approved application's terminal: bind it, take the deposit, tell the merchant."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.ledger_views import deposit_view, terminal_view
    from onboarding.service.terminals import ship as ship_terminal

    services = cli_services()
    shipment = ship_terminal(services, application_id, sn)
    result = {"application_id": application_id, "already_shipped": shipment.already_shipped,
              "terminal": terminal_view(services, application_id), "deposit": deposit_view(services, application_id)}
    emit(result, json_, lambda r: typer.echo(
        f"{r['application_id']}: terminal {r['terminal']['serial_number']} {r['terminal']['state']}, "
        f"deposit {r['deposit']['amount_fen']} fen {r['deposit']['state']}"
        + (" (already shipped)" if r["already_shipped"] else "")))


def _render_report(report: dict) -> None:
    # imported when the command runs: `onboard --help` and the other commands start without it
    from rich.console import Console
    from rich.table import Table

    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.deposit_notices import yuan

    console = Console()
    totals = Table("deposits", "count", "amount", title=f"Deposits as of {report['as_of']}")
    for state, row in report["deposits"].items():
        totals.add_row(state, str(row["count"]), yuan(row["amount_fen"]))
    console.print(totals)
    due = Table("application", "terminal", "volume", "threshold", "deadline", "reason",
                title=f"Due in the next 7 days (refunds due {yuan(report['refunds_due_fen'])})")
    for row in report["due_next_7_days"][:50]:
        due.add_row(row["application_id"], row["terminal_sn"], yuan(row["qualifying_volume_fen"]),
                    yuan(row["threshold_fen"]), row["deadline"][:16], row["reason"])
    console.print(due)
    console.print(f"terminals overdue for activation: {report['activation_overdue']}")
    if report["terminals_quarantined"]:
        console.print(f"[red]terminals in quarantine: {report['terminals_quarantined']}[/] "
                      "(see `onboard terminals quarantined`)")
    mismatches = report["reconciliation"]["mismatches"]
    console.print(f"reconciliation: {report['reconciliation']['deposits_checked']} deposits checked, "
                  + (f"[red]{len(mismatches)} mismatches[/]" if mismatches else "[green]consistent[/]"))
    for m in mismatches[:50]:
        console.print(f"  {m['terminal_sn']} {m['application_id']}: ledger {yuan(m['ledger_fen'])} "
                      f"≠ transactions {yuan(m['transactions_fen'])}")
