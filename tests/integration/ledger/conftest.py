"""A ledger on a real database (SQLite, and PostgreSQL when ONBOARD_TEST_POSTGRES_URL is set).

`ledger` wires `get_services()` to the test database through the environment, as every entry point does.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

# --import-mode=importlib puts no test directory on sys.path; the tests here share ledger_world.py.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from ledger_world import Ledger  # noqa: E402


@pytest.fixture
def ledger(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from onboarding.bootstrap import get_services, reset_services

    monkeypatch.setenv("ONBOARD_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ONBOARD_DATABASE_URL", database_url)
    monkeypatch.delenv("ONBOARD_RULES_DIR", raising=False)
    reset_services()
    services = get_services()
    world = Ledger(services)
    services.clock = lambda: world.now
    yield world
    reset_services()
