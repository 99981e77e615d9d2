"""`onboard staff …`: back-office accounts (argon2id passwords; every change in the staff audit trail)."""
from __future__ import annotations

import sys
from typing import Annotated

import typer

from onboarding.cli.common import JsonFlag, cli_actor, cli_services, emit
from onboarding.cli.errors import CliError, handles_errors

staff_app = typer.Typer(no_args_is_help=True, help="Staff accounts of the back office (`onboard backoffice`).")


def _read_password(from_stdin: bool, prompt: str) -> str | None:
    if from_stdin:
        value = sys.stdin.readline().rstrip("\r\n")
        if not value:
            raise CliError("--password-stdin: no password on standard input")
        return value
    return None


def _account(account) -> dict:
    return {"username": account.username, "role": str(account.role), "active": account.active,
            "created_at": account.created_at.isoformat(), "created_by": account.created_by,
            "disabled_at": account.disabled_at.isoformat() if account.disabled_at else None}


@staff_app.command("add")
@handles_errors
def add(name: Annotated[str, typer.Argument(help="Login name: lower-case letters, digits, '.', '_', '-'.")],
        role: Annotated[str, typer.Option("--role", help="reviewer | ops | admin")],
        password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password (one line) from "
                                                     "standard input; without it one is generated and printed once.")] = False,
        json_: JsonFlag = False) -> None:
    """Add a staff account."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.staff import add_staff

    account, generated = add_staff(cli_services(), name, role, _read_password(password_stdin, "password"),
                                   actor=cli_actor())
    data = {**_account(account), "generated_password": generated}

    def human(d: dict) -> None:
        typer.echo(f"staff account {d['username']} ({d['role']}) added")
        if d["generated_password"]:
            typer.echo(f"password (shown once, not stored): {d['generated_password']}")

    emit(data, json_, human)


@staff_app.command("list")
@handles_errors
def list_(json_: JsonFlag = False) -> None:
    """Every staff account, with its role and whether it is active."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.staff import list_staff

    rows = [_account(a) for a in list_staff(cli_services())]

    def human(items: list[dict]) -> None:
        if not items:
            typer.echo("no staff accounts; add one: onboard staff add NAME --role reviewer|ops|admin")
        for a in items:
            typer.echo(f"{a['username']:<20} {a['role']:<9} {'active' if a['active'] else 'disabled'}")

    emit(rows, json_, human)


@staff_app.command("disable")
@handles_errors
def disable(name: str, json_: JsonFlag = False) -> None:
    """Disable an account: it can no longer log in and its sessions end now."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.staff import disable_staff

    ended = disable_staff(cli_services(), name, actor=cli_actor())
    emit({"username": name, "disabled": True, "sessions_ended": ended}, json_,
         lambda d: typer.echo(f"{name} disabled; {ended} session(s) ended"))


@staff_app.command("passwd")
@handles_errors
def passwd(name: str,
           password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the new password from "
                                                        "standard input; without it you are asked twice.")] = False,
           json_: JsonFlag = False) -> None:
    """Set a new password; every session of the account ends."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.staff import set_password

    password = _read_password(password_stdin, "password")
    if password is None:
        password = typer.prompt("new password", hide_input=True, confirmation_prompt=True)
    ended = set_password(cli_services(), name, password, actor=cli_actor())
    emit({"username": name, "sessions_ended": ended}, json_,
         lambda d: typer.echo(f"password of {name} changed; {ended} session(s) ended"))
