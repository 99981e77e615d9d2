"""Life after approval on a real database (SQLite, and PostgreSQL when ONBOARD_TEST_POSTGRES_URL is set)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

# --import-mode=importlib puts no test directory on sys.path; the tests here share aftercare_world.py.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from aftercare_world import World  # noqa: E402


@pytest.fixture
def world(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from onboarding.bootstrap import get_services, reset_services

    monkeypatch.setenv("ONBOARD_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ONBOARD_DATABASE_URL", database_url)
    monkeypatch.delenv("ONBOARD_RULES_DIR", raising=False)
    reset_services()
    services = get_services()
    built = World(services)
    services.clock = lambda: built.now
    services.uow()  # maps the domain classes before the first application is built
    yield built
    reset_services()


@pytest.fixture
def sqlite_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """For the tests that read documents (OCR dominates; the database path is covered by `world`)."""
    from onboarding.bootstrap import get_services, reset_services

    monkeypatch.setenv("ONBOARD_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ONBOARD_DATABASE_URL", raising=False)
    monkeypatch.delenv("ONBOARD_RULES_DIR", raising=False)
    reset_services()
    services = get_services()
    built = World(services)
    services.clock = lambda: built.now
    services.uow()
    yield built
    reset_services()
