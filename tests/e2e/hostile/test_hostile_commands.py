"""Hostile and mistaken staff commands around links, sweeps and settings (issue 18): each is refused in one line
and changes nothing in the installation: no row, no file, no message."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from onboarding.adapters.database import engine_for
from onboarding.service.requests import revoke_links
from tests.e2e.hostile.lanes import describe, forked_cli
from tests.support.cli_forkserver import ForkServer
from tests.support.cli_process import refusal_problems
from tests.support.installation import MERCHANT_PHONE, home_state, services_for, waiting_for_documents

pytestmark = pytest.mark.e2e

NOW = datetime.now(timezone.utc)


def _cases(application_id: str, workdir: Path) -> dict[str, tuple[list[str], tuple[str, ...]]]:
    """name → (arguments, words the one-line error must contain)."""
    future = (NOW + timedelta(days=30)).isoformat()
    return {
        "sweep_as_of_future": (["sweep", "--as-of", future, "--json"], ("later than now",)),
        "sweep_as_of_year_2099": (["sweep", "--as-of", "2099-01-01T00:00:00+08:00"], ("--allow-future",)),
        "sweep_as_of_without_offset": (["sweep", "--as-of", "2099-01-01T00:00:00"], ("offset",)),
        "sweep_as_of_not_a_date": (["sweep", "--as-of", "tomorrow; rm -rf /"], ("ISO 8601",)),
        "reissue_to_the_lost_phone": (["reissue", application_id, "--reason", "resend"], ("revoked",)),
        "reissue_same_phone_given_again": (["reissue", application_id, "--phone", MERCHANT_PHONE, "--reason", "x"],
                                           ("revoked",)),
        "reissue_phone_sql_injection": (["reissue", application_id, "--phone", "13900139000' OR '1'='1",
                                         "--reason", "x"], ("phone",)),
        "reissue_without_reason": (["reissue", application_id, "--phone", "13900139000", "--reason", " "],
                                   ("reason",)),
        "reissue_unknown_application": (["reissue", "APP-NOSUCH01", "--phone", "13900139000", "--reason", "x"],
                                        ("APP-NOSUCH01",)),
        "env_file_missing": (["--env-file", str(workdir / "missing.env"), "sweep"], ("--env-file",)),
        "env_file_is_directory": (["--env-file", str(workdir), "sweep"], ("--env-file",)),
    }


@pytest.fixture(scope="module")
def installation(tmp_path_factory) -> tuple[Path, str]:
    """An application waiting for documents whose links staff revoked (the merchant lost the phone)."""
    home = tmp_path_factory.mktemp("hostile-commands") / "home"
    application_id = waiting_for_documents(home, NOW - timedelta(days=9, hours=12))
    services = services_for(home)
    revoke_links(services, application_id, actor="staff:test", reason="merchant lost phone")
    engine_for(services.settings.resolved_database_url).dispose()
    return home, application_id


def test_hostile_commands_are_refused_in_one_line_and_change_nothing(installation, fork_server: ForkServer,
                                                                     tmp_path: Path) -> None:
    home, application_id = installation
    cli = forked_cli(fork_server, home)
    failures = {}
    cases = _cases(application_id, tmp_path)
    for name, (args, mentions) in cases.items():
        before = home_state(home)
        run = cli(*args, cwd=tmp_path)
        problems = refusal_problems(run, mentions) + before.differences(home_state(home))
        if (home / "outbox").exists():
            problems.append(f"messages delivered: {sorted(p.name for p in (home / 'outbox').rglob('*.json'))}")
        if problems:
            failures[name] = problems
    assert len(cases) >= 10
    assert not failures, describe(failures)


def test_a_dotenv_in_the_working_directory_cannot_redirect_the_installation(installation, fork_server: ForkServer,
                                                                            tmp_path: Path) -> None:
    """Someone who can write to the directory staff work in drops a `.env` aiming at their own database."""
    home, application_id = installation
    elsewhere = tmp_path / "attacker"
    (tmp_path / ".env").write_text(f"ONBOARD_HOME={elsewhere}\nONBOARD_DATABASE_URL=sqlite:///{elsewhere}/db\n"
                                   "ONBOARD_PORTAL_BASE_URL=http://attacker.example\n")
    before = home_state(home)
    run = forked_cli(fork_server, home)("status", "--json", cwd=tmp_path)
    assert run.exit_code == 0, run.stderr
    assert [row["application_id"] for row in run.json()] == [application_id]
    assert not elsewhere.exists()
    assert before.differences(home_state(home)) == []
