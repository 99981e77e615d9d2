"""`onboard serve`: the embedded default as one long-lived service (see onboarding.serve.supervisor)."""
from __future__ import annotations

import os
from dataclasses import replace
from typing import Annotated

import typer

from onboarding.cli.errors import CliError, handles_errors

DEFAULT_PORTAL_BASE_URL = "http://127.0.0.1:8000"
IDLE_PREFECT_SERVICES = ("SCHEDULER", "LATE_RUNS", "FOREMAN", "PAUSE_EXPIRATIONS", "CANCELLATION_CLEANUP")


@handles_errors
def serve(host: Annotated[str, typer.Option(help="Interface every endpoint listens on.")] = "127.0.0.1",
          portal_port: Annotated[int, typer.Option(help="The merchant portal (the links in messages).")] = 8000,
          backoffice_port: Annotated[int, typer.Option(help="The staff back office.")] = 8001,
          prefect_port: Annotated[int, typer.Option(help="Prefect's API and UI (watch the flow runs).")] = 4200,
          no_sweep: Annotated[bool, typer.Option("--no-sweep", help="No scheduled sweep.")] = False,
          sweep_every: Annotated[str, typer.Option(help="How often the sweep runs: 15m, 30s, 1h.")] = "15m") -> None:
    """Run Prefect's API + UI, the portal, the back office, a runner for every queued application and the
    sweep, in the foreground until SIGINT/SIGTERM; other commands on this home hand their runs to it."""
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.bootstrap import get_services
    from onboarding.runtime import configure_prefect
    from onboarding.serve.supervisor import ServeOptions, ServeRefused, Supervisor, local_host, parse_interval

    try:
        interval = None if no_sweep else parse_interval(sweep_every)
    except ValueError as error:
        raise CliError(str(error)) from None
    settings = get_services().settings
    options = ServeOptions(home=settings.resolved_home, host=host, portal_port=portal_port,
                           backoffice_port=backoffice_port, prefect_port=prefect_port, sweep_every_s=interval)
    portal_url = options.urls["portal"]
    configured = settings.portal_base_url.rstrip("/")
    if "ONBOARD_PORTAL_BASE_URL" not in os.environ and configured == DEFAULT_PORTAL_BASE_URL:
        configured = portal_url  # links point where the portal really listens
    options = replace(options, portal_base_url=configured)
    supervisor = Supervisor(options)
    try:
        supervisor.claim()
    except ServeRefused as refusal:
        raise CliError(str(refusal)) from None
    if configured != portal_url:
        typer.echo(f"warning: ONBOARD_PORTAL_BASE_URL is {configured} but the portal listens on {portal_url}; "
                   f"upload links point at {configured}", err=True)
    os.environ["ONBOARD_PORTAL_BASE_URL"] = configured
    os.environ["ONBOARD_HOME"] = str(options.home)
    # Every child talks to the serve's Prefect server; that server is a full one (UI, Prefect's services).
    os.environ["PREFECT_API_URL"] = f"http://{local_host(host)}:{prefect_port}/api"
    os.environ["PREFECT_UI_API_URL"] = f"{options.urls['prefect']}/api"
    os.environ["PREFECT_UI_ENABLED"] = "1"
    for ephemeral_only in ("PREFECT__SERVER_EPHEMERAL", "PREFECT__SERVER_FINAL"):
        os.environ.pop(ephemeral_only, None)
    # Prefect's loops for schedules, work pools and pauses have nothing to do here (no deployments, no workers);
    # off, they cost no idle CPU. Events, automations and the UI's run history stay on.
    for unused in IDLE_PREFECT_SERVICES:
        os.environ.setdefault(f"PREFECT_SERVER_SERVICES_{unused}_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")  # each application's decision in its run's logs
    configure_prefect(settings)
    supervisor.build_children(dict(os.environ))
    raise typer.Exit(supervisor.run())
