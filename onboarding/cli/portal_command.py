"""`onboard portal`: serve the merchant upload portal."""
from __future__ import annotations

import logging
from typing import Annotated

import typer

from onboarding.adapters.web_server import run_server
from onboarding.cli.common import cli_services


def portal(host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
           port: Annotated[int, typer.Option(help="TCP port.")] = 8000) -> None:
    """Serve the merchant upload portal (the links in request messages point here)."""

    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.portal.app import create_app

    services = cli_services()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # uvicorn's access log prints the path, which holds the merchant's token; the portal logs it masked.
    run_server(create_app(services), host=host, port=port, access_log=False, server_header=False,
                proxy_headers=True, log_level="info")
