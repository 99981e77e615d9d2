"""Where settings come from: the environment, the home's `.env` or `--env-file`; never a `.env` in the current
directory. `onboard config` shows them, secrets hidden."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli_process import base_environment, refusal_problems, run_onboard_with_env

pytestmark = pytest.mark.e2e

SMTP_PASSWORD = "hunter2-smtp-secret"
INDEX_KEY = "index-key-secret-value"


def _config(home: Path | None, cwd: Path, *args: str) -> dict:
    env = {**base_environment(), **({"ONBOARD_HOME": str(home)} if home else {})}
    run = run_onboard_with_env(env, *args, "config", "--json", cwd=cwd)
    assert run.exit_code == 0, run.stderr
    assert SMTP_PASSWORD not in run.stdout and INDEX_KEY not in run.stdout
    return run.json()


@pytest.fixture
def attacker_dir(tmp_path: Path) -> Path:
    """A working directory someone else could write to, with a `.env` aiming the installation elsewhere."""
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / ".env").write_text(f"ONBOARD_HOME={tmp_path / 'elsewhere'}\n"
                                 "ONBOARD_DATABASE_URL=sqlite:////tmp/attacker.db\n"
                                 "ONBOARD_PORTAL_BASE_URL=http://attacker.example\n")
    return folder


def test_a_dotenv_in_the_current_directory_changes_nothing(tmp_path: Path, attacker_dir: Path) -> None:
    home = tmp_path / "home"
    shown = _config(home, attacker_dir)["settings"]
    assert shown["home"] == {"value": str(home), "source": "environment"}
    assert shown["database_url"] == {"value": None, "source": "default"}
    assert shown["portal_base_url"] == {"value": "http://127.0.0.1:8000", "source": "default"}
    # Without ONBOARD_HOME either: the default home, not the file's.
    assert _config(None, attacker_dir)["settings"]["home"] == {"value": ".onboard", "source": "default"}


def test_the_homes_dotenv_is_read_but_cannot_move_the_home(tmp_path: Path, attacker_dir: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".env").write_text(f"ONBOARD_PORTAL_BASE_URL=https://onboard.acquirer.example\n"
                               f"ONBOARD_HOME={tmp_path / 'elsewhere'}\n"
                               f"ONBOARD_SMTP_PASSWORD={SMTP_PASSWORD}\nONBOARD_INDEX_KEY={INDEX_KEY}\n"
                               f"ONBOARD_DATABASE_URL=postgresql+psycopg://onboard:{SMTP_PASSWORD}@db/onboard\n")
    shown = _config(home, attacker_dir)
    assert shown["env_file"] == str((home / ".env").resolve())
    settings = shown["settings"]
    assert settings["portal_base_url"] == {"value": "https://onboard.acquirer.example", "source": "env file"}
    assert settings["home"]["value"] == str(home)
    assert settings["smtp_password"] == {"value": "<set, hidden>", "source": "env file"}
    assert settings["database_url"]["value"] == "postgresql+psycopg://onboard:***@db/onboard"


def test_env_file_is_read_and_a_missing_one_is_refused_in_one_line(tmp_path: Path, attacker_dir: Path) -> None:
    chosen = tmp_path / "staging.env"
    chosen.write_text("ONBOARD_PORTAL_BASE_URL=https://staging.example\n")
    shown = _config(tmp_path / "home", attacker_dir, "--env-file", str(chosen))
    assert shown["settings"]["portal_base_url"] == {"value": "https://staging.example", "source": "env file"}

    missing = run_onboard_with_env({**base_environment(), "ONBOARD_HOME": str(tmp_path / "home")},
                                   "--env-file", str(tmp_path / "nope.env"), "config", cwd=attacker_dir)
    assert refusal_problems(missing, ("--env-file", "no such file")) == []
