"""`onboard keys …` (key rotation for PII encrypted at rest) and `onboard purge` (document retention)."""
from __future__ import annotations

from typing import Annotated, Any, Optional

import typer

from onboarding.cli.common import JsonFlag, cli_actor, cli_services, emit
from onboarding.cli.errors import handles_errors

keys_app = typer.Typer(no_args_is_help=True, help="Keys that encrypt PII at rest and seal upload links.")


@keys_app.command("generate")
def generate() -> None:
    """Print a new key. Put it first in ONBOARD_SECRET_KEYS, keep the old keys after it, then `keys rotate`."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.keys import new_key

    typer.echo(new_key())


@keys_app.command("rotate")
@handles_errors
def rotate(chunk_size: Annotated[int, typer.Option("--chunk-size", min=1, help="Rows per transaction.")] = 500,
           json_: JsonFlag = False) -> None:
    """Re-encrypt every encrypted value with the newest key; afterwards the older keys can be removed."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.adapters.encryption import UnreadableCiphertext
    from onboarding.cli.errors import CliError
    from onboarding.service.keys import rotate_keys

    try:
        report = rotate_keys(cli_services(), chunk_size)
    except UnreadableCiphertext as error:  # a key is missing from the list: say which value, change no more
        raise CliError(str(error)) from None
    emit(report.as_dict(), json_, _print_rotation)


def _print_rotation(report: dict[str, Any]) -> None:
    for name, count in report["resealed"].items():
        typer.echo(f"{name:40} {count:>8}")
    typer.echo(f"{report['total']} value(s) now sealed with the newest of {report['keys']} key(s)")
    if report["changed_meanwhile"]:
        typer.echo(f"{report['changed_meanwhile']} value(s) changed during the rotation: run it again before "
                   "removing old keys")


@handles_errors
def purge(older_than_days: Annotated[Optional[int], typer.Option(
              "--older-than-days", min=0, help="Default: ONBOARD_RETENTION_DAYS.")] = None,
          dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would go; change nothing.")] = False,
          json_: JsonFlag = False) -> None:
    """Delete the files and OCR readings of applications rejected, expired or withdrawn long ago (audited)."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.purge import purge_documents

    report = purge_documents(cli_services(), older_than_days=older_than_days, dry_run=dry_run, actor=cli_actor())
    emit(report.as_dict(), json_, _print_purge)


def _print_purge(report: dict[str, Any]) -> None:
    verb = "would purge" if report["dry_run"] else "purged"
    for app in report["applications"]:
        typer.echo(f"{app['application_id']}  {app['state']:10} since {app['closed_at'][:10]}  "
                   f"{len(app['documents'])} document(s)")
    typer.echo(f"{verb}: {report['documents']} document(s) of {len(report['applications'])} application(s) "
               f"closed before {report['cutoff'][:10]}; files deleted {len(report['files_deleted'])}, "
               f"kept (shared with open applications) {len(report['files_kept_shared'])}")
