"""The report command run in-process against a test database, wired through the environment as every
entry point is. Builders for the data live in report_world.py."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

# --import-mode=importlib puts no test directory on sys.path; the tests here share report_world.py.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)


@pytest.fixture
def services(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from onboarding.adapters.orm import start_mappers
    from onboarding.bootstrap import get_services, reset_services

    start_mappers()  # domain objects made before the mapping exists could not be stored

    monkeypatch.setenv("ONBOARD_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ONBOARD_DATABASE_URL", database_url)
    monkeypatch.setenv("ONBOARD_TIMEZONE", "Asia/Shanghai")
    reset_services()
    yield get_services()
    reset_services()


@pytest.fixture
def run_report():
    from onboarding.cli.report_command import report

    app = typer.Typer()
    app.command()(report)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, list(args))

    return run
