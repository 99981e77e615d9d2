"""CLI for what staff look at and correct in the ledger: batches and voiding one, quarantined terminals, a
deposit's transactions explained. `cli.main` registers them on the ledger's command groups:

    register_ledger_review(terminals_app, transactions_app, deposits_app)
"""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from onboarding.cli.common import JsonFlag, cli_actor, cli_services, emit
from onboarding.cli.errors import handles_errors
from onboarding.cli.inputs import parse_as_of


@handles_errors
def void(batch_id: str, reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit trail).")],
         json_: JsonFlag = False) -> None:
    """Void an imported batch: its rows leave the ledger (kept apart), held deposits are counted again."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.transaction_batches import void_batch

    emit(void_batch(cli_services(), batch_id, reason=reason, actor=cli_actor()), json_, _render_void)


@handles_errors
def batches(limit: Annotated[int, typer.Option("--limit", help="How many, newest first.")] = 50,
            json_: JsonFlag = False) -> None:
    """Imported batches, newest first, voided ones marked."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.transaction_batches import list_batches

    emit(list_batches(cli_services(), limit), json_, _render_batches)


@handles_errors
def quarantined(json_: JsonFlag = False) -> None:
    """Terminals the sweep leaves to staff, with the reason."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.ledger_views import quarantined_terminals

    emit(quarantined_terminals(cli_services()), json_, _render_quarantined)


@handles_errors
def explain(application_id: str,
            as_of: Annotated[Optional[str], typer.Option("--as-of", help="Count up to (ISO 8601 with offset).")] = None,
            json_: JsonFlag = False) -> None:
    """A deposit's transactions: which counted towards the target, which did not, and why."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.ledger_views import deposit_transactions

    emit(deposit_transactions(cli_services(), application_id, parse_as_of(as_of)), json_, _render_explained)


def register_ledger_review(terminals_app: typer.Typer, transactions_app: typer.Typer,
                           deposits_app: typer.Typer) -> None:
    transactions_app.command("void")(void)
    transactions_app.command("batches")(batches)
    terminals_app.command("quarantined")(quarantined)
    deposits_app.command("explain")(explain)


def _render_void(result: dict) -> None:
    if result["already_voided"]:
        typer.echo(f"{result['batch_id']} was already voided on {result['voided_at']} by {result['voided_by']}; "
                   "nothing changed")
        return
    rows = sum(t["rows"] for t in result["terminals"])
    typer.echo(f"{result['batch_id']} voided: {rows} rows taken out of the ledger on "
               f"{len(result['terminals'])} terminals, {len(result['recounted'])} held deposits counted again")
    for deposit in result["decided_deposits_to_review"]:
        typer.echo(f"  review: deposit of {deposit['application_id']} was already {deposit['state']} on a volume "
                   "that included these rows")
    for serial_number in result["activations_to_review"]:
        typer.echo(f"  review: terminal {serial_number} was activated by a row of this batch")


def _render_batches(rows: list[dict]) -> None:
    for row in rows:
        voided = f"  VOIDED by {row['voided_by']}: {row['void_reason']}" if row["voided"] else ""
        typer.echo(f"{row['batch_id']}  {row['imported_at'][:16]}  rows {row['rows']}  new {row['new']}  "
                   f"in ledger {row['in_ledger']}  {row['source']}{voided}")


def _render_quarantined(rows: list[dict]) -> None:
    if not rows:
        typer.echo("no terminal in quarantine")
    for row in rows:
        typer.echo(f"{row['serial_number']} ({row['model']}, {row['application_id']}) since {row['since'][:16]}: "
                   f"{row['reason']}")


def _render_explained(result: dict) -> None:
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.deposit_notices import yuan

    deposit = result["deposit"]
    typer.echo(f"{result['application_id']} terminal {result['terminal']['serial_number']}: deposit "
               f"{deposit['state']}, {yuan(result['qualifying_volume_fen'])} of {yuan(deposit['threshold_fen'])} "
               f"counted up to {result['as_of'][:16]}")
    for row in result["transactions"] + result["voided"]:
        mark = {"adds": "+", "subtracts": "-", "no": " "}[row["counts"]]
        activated = "  (activated the terminal)" if row["activated_terminal"] else ""
        typer.echo(f" {mark} {row['occurred_at'][:16]}  {row['txn_id']}  {yuan(row['amount_fen'])}  {row['kind']} "
                   f"{row['channel']}: {row['why_en']}{activated}")
