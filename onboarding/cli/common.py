"""What every `onboard` command shares: the services of this process, who is acting, and output.

Its own module so that the command modules import it, never `cli.main` (which imports them to register them).
"""
from __future__ import annotations

import getpass
import json
import os
import sys
from typing import Annotated, Any, Callable

import typer

from onboarding.bootstrap import Services, get_services
from onboarding.runtime import configure_prefect

JsonFlag = Annotated[bool, typer.Option("--json", help="Print exactly one JSON document on stdout.")]


def cli_services() -> Services:
    """This process's services, with Prefect's environment in place before anything imports Prefect."""
    built = get_services()
    configure_prefect(built.settings)
    _links_of_the_serve(built)
    return built


def _links_of_the_serve(services: Services) -> None:
    """While `onboard serve` runs on this home, links this command shows point where the serve's do (its
    portal's real address), unless ONBOARD_PORTAL_BASE_URL says otherwise."""

    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.adapters.serve_registry import ServeRegistry

    if "ONBOARD_PORTAL_BASE_URL" in os.environ:
        return
    serve = ServeRegistry(services.settings.resolved_home).running()
    if serve and serve.get("portal_base_url"):
        services.settings.portal_base_url = serve["portal_base_url"]


def cli_actor() -> str:
    """Who a CLI action is recorded as in the audit trail."""
    try:
        return f"staff:{getpass.getuser()}"
    except Exception:  # no passwd entry in some containers
        return "staff:unknown"


def emit(data: Any, as_json: bool, human: Callable[[Any], None]) -> None:
    """One JSON document on stdout with --json; otherwise the human rendering."""
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
    else:
        human(data)


def echo_pairs(data: dict) -> None:
    typer.echo("  ".join(f"{key} {value}" for key, value in data.items() if not isinstance(value, (dict, list))))
