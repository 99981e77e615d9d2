"""Fixtures shared by every layer: an isolated ONBOARD_HOME, databases, one Prefect server per session."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

# Machines are shared: a property test must not fail because one example was slow (no timing in tests).
settings.register_profile("shared-machine", deadline=None)
settings.load_profile("shared-machine")

POSTGRES_URL = os.environ.get("ONBOARD_TEST_POSTGRES_URL")


@pytest.fixture
def onboard_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh embedded-default installation: its own SQLite database and document directory."""
    from onboarding.bootstrap import reset_services

    home = tmp_path / "onboard-home"
    monkeypatch.setenv("ONBOARD_HOME", str(home))
    monkeypatch.delenv("ONBOARD_DATABASE_URL", raising=False)
    reset_services()
    yield home
    reset_services()


def _postgres_schema_url(base_url: str):
    """A throw-away schema in the shared test database, so tests never see each other's rows."""
    import sqlalchemy as sa

    schema = f"t_{secrets.token_hex(6)}"
    engine = sa.create_engine(base_url)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base_url else "?"
    url = f"{base_url}{separator}options=-csearch_path%3D{schema}"

    def drop() -> None:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()

    return url, drop


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'onboard.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("ONBOARD_TEST_POSTGRES_URL is not set")
    url, drop = _postgres_schema_url(POSTGRES_URL)
    yield url
    from onboarding.adapters.database import engine_for

    engine_for(url).dispose()
    drop()


@pytest.fixture(scope="session")
def prefect_api_url() -> str:
    """One Prefect server for the whole session; flows in this process and CLI subprocesses both use it."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield PREFECT_API_URL.value()
