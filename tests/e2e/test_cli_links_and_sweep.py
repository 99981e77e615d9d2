"""Links after a revoke, and sweeps at a time that has not come, through the real `onboard` command."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from onboarding.adapters.database import engine_for
from tests.support.cli_process import CliRun, refusal_environment, refusal_problems, run_onboard_with_env
from tests.support.installation import home_state, services_for, waiting_for_documents

pytestmark = pytest.mark.e2e

OLD_PHONE, NEW_PHONE = "13800138000", "13900139000"


def links_and_messages(home: Path, application_id: str) -> tuple[list[dict], list[dict]]:
    services = services_for(home)
    with services.uow() as uow:
        application = uow.applications.get(application_id)
        links = [{"id": link.id, "revoked": link.revoked_at is not None, "token": link.sealed_token}
                 for link in application.links]
        messages = [{k: m[k] for k in ("idempotency_key", "channel", "recipient")}
                    for m in uow.outbox.for_application(application_id)]
    engine_for(services.settings.resolved_database_url).dispose()
    return links, messages


@pytest.fixture
def cli(tmp_path: Path):
    home = tmp_path / "home"

    def run(*args: str) -> CliRun:
        return run_onboard_with_env(refusal_environment(home), *args, cwd=tmp_path)

    run.home = home
    return run


def test_a_revoked_link_never_comes_back_until_staff_change_the_contact_and_reissue(cli) -> None:
    now = datetime.now(timezone.utc)
    application_id = waiting_for_documents(cli.home, now)
    assert cli("revoke", application_id, "--reason", "merchant lost phone", "--json").exit_code == 0
    links_before, messages_before = links_and_messages(cli.home, application_id)
    assert [link["revoked"] for link in links_before] == [True]

    # Both reminders fall due: neither mints a link nor sends anything to the lost phone.
    later = (now + timedelta(days=4)).isoformat()
    swept = cli("sweep", "--as-of", later, "--allow-future", "--json")
    assert swept.exit_code == 0, swept.stderr
    assert swept.json()["requests"] == {"reminders": 0, "expired": 0}
    assert links_and_messages(cli.home, application_id) == (links_before, messages_before)

    # A re-issue to the same contact is refused: whoever has the phone would get the link.
    same = cli("reissue", application_id, "--reason", "resend")
    assert refusal_problems(same, ("revoked", "--phone")) == []
    assert links_and_messages(cli.home, application_id) == (links_before, messages_before)

    reissued = cli("reissue", application_id, "--phone", NEW_PHONE, "--reason", "merchant's new phone", "--json")
    assert reissued.exit_code == 0, reissued.stderr
    assert reissued.json()["reissued"] is True and NEW_PHONE not in reissued.stdout  # masked
    links, messages = links_and_messages(cli.home, application_id)
    assert [link["revoked"] for link in links] == [True, False]  # one new link, the old one still dead
    new_messages = messages[len(messages_before):]
    assert {m["recipient"] for m in new_messages} == {NEW_PHONE, "wang@example.com"}
    assert OLD_PHONE not in {m["recipient"] for m in new_messages}

    # Later sweeps mint nothing either.
    swept = cli("sweep", "--as-of", (now + timedelta(days=9)).isoformat(), "--allow-future", "--json")
    assert swept.exit_code == 0, swept.stderr
    assert links_and_messages(cli.home, application_id)[0] == links


def test_a_reminder_re_sends_the_current_link(cli) -> None:
    now = datetime.now(timezone.utc)
    application_id = waiting_for_documents(cli.home, now)
    links_before, messages_before = links_and_messages(cli.home, application_id)
    swept = cli("sweep", "--as-of", (now + timedelta(days=2)).isoformat(), "--allow-future", "--json")
    assert swept.json()["requests"] == {"reminders": 1, "expired": 0}
    assert links_and_messages(cli.home, application_id)[0] == links_before
    delivered = {path.name: json.loads(path.read_text())["body"] for path in (cli.home / "outbox" / "sms").iterdir()}
    first_sms = delivered[f"{application_id}_request-1_sms.json"]
    url = first_sms[first_sms.index("http"):]
    assert url in delivered[f"{application_id}_reminder-r1-24h_sms.json"]


def test_a_sweep_later_than_now_is_refused_and_changes_nothing(cli) -> None:
    now = datetime.now(timezone.utc)
    waiting_for_documents(cli.home, now - timedelta(days=9))
    before = home_state(cli.home)
    refused = cli("sweep", "--as-of", (now + timedelta(days=2)).isoformat(), "--json")
    assert refusal_problems(refused, ("later than now", "--dry-run", "--allow-future")) == []
    assert before.differences(home_state(cli.home)) == []


@pytest.mark.parametrize("days_ahead", [2, 0], ids=["future", "present"])
def test_a_dry_run_says_what_would_happen_and_changes_nothing(cli, days_ahead: int) -> None:
    now = datetime.now(timezone.utc)
    waiting_for_documents(cli.home, now - timedelta(days=9, hours=1))
    before = home_state(cli.home)
    args = ["--as-of", (now + timedelta(days=days_ahead)).isoformat()] if days_ahead else []
    dry = cli("sweep", *args, "--dry-run", "--json")
    assert dry.exit_code == 0, dry.stderr
    report = dry.json()
    assert report["dry_run"] is True
    assert report["requests"] == ({"reminders": 0, "expired": 1} if days_ahead else {"reminders": 1, "expired": 0})
    assert report["notifications"]["would_send"] >= 1
    assert before.differences(home_state(cli.home)) == []
    assert not (cli.home / "outbox").exists() or not any((cli.home / "outbox").iterdir())


def test_a_future_sweep_allowed_by_staff_is_in_the_audit_trail(cli) -> None:
    now = datetime.now(timezone.utc)
    waiting_for_documents(cli.home, now - timedelta(days=9))
    as_of = now + timedelta(days=2)
    swept = cli("sweep", "--as-of", as_of.isoformat(), "--allow-future", "--json")
    assert swept.exit_code == 0, swept.stderr
    assert swept.json()["requests"]["expired"] == 1
    services = services_for(cli.home)
    with services.uow() as uow:
        events = [e for e in uow.staff.events() if e["action"] == "sweep_future"]
    engine_for(services.settings.resolved_database_url).dispose()
    assert len(events) == 1 and events[0]["details"]["as_of"] == as_of.astimezone(timezone.utc).isoformat()
