"""Process set-up for the embedded default, before Prefect is imported."""
from __future__ import annotations

import os

import pytest

from onboarding.runtime import EPHEMERAL_SERVICES_OFF, configure_prefect
from onboarding.settings import Settings


@pytest.fixture(autouse=True)
def environment_restored():
    """configure_prefect writes os.environ; every variable it set goes again after the test."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_prefect_gets_a_home_under_a_home_that_does_not_exist_yet(tmp_path):
    # Prefect makes only the last level of its home; without this its API cannot open its database.
    for name in [n for n in os.environ if n.startswith("PREFECT_")] + ["OMP_THREAD_LIMIT"]:
        del os.environ[name]
    home = tmp_path / "new" / "installation"
    configure_prefect(Settings(home=home))
    assert os.environ["PREFECT_HOME"] == str(home.resolve() / "prefect")
    assert (home / "prefect").is_dir()
    assert os.environ["OMP_THREAD_LIMIT"] == "1"
    assert all(os.environ[f"PREFECT_SERVER_SERVICES_{s}_ENABLED"] == "false" for s in EPHEMERAL_SERVICES_OFF)
    assert os.environ["PREFECT_API_BLOCKS_REGISTER_ON_START"] == "false"


def test_a_prefect_server_given_in_the_environment_wins(tmp_path):
    os.environ["PREFECT_API_URL"] = "http://prefect.internal:4200/api"
    os.environ["PREFECT_HOME"] = str(tmp_path / "theirs")
    os.environ.pop("PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED", None)
    configure_prefect(Settings(home=tmp_path / "ours"))
    assert os.environ["PREFECT_HOME"] == str(tmp_path / "theirs")
    assert "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED" not in os.environ  # their server's services are theirs
