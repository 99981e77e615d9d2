"""`onboard backoffice`: serve the staff back office alone (`onboard serve` serves it beside the portal)."""
from __future__ import annotations

import logging
from typing import Annotated

import typer

from onboarding.adapters.web_server import run_server
from onboarding.cli.common import cli_services


def backoffice(host: Annotated[str, typer.Option(help="Interface to listen on (keep it internal).")] = "127.0.0.1",
               port: Annotated[int, typer.Option(help="TCP port.")] = 8001) -> None:
    """Serve the staff back office: queue, cases, terminals, deposits, report (log in with `onboard staff add`)."""

    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.backoffice.app import create_backoffice_app

    services = cli_services()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    typer.echo(f"backoffice http://{host}:{port}", err=True)
    run_server(create_backoffice_app(services), host=host, port=port, server_header=False, proxy_headers=True,
                log_level="info")
