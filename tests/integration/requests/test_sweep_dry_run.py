"""A dry-run sweep finds what a real one would do, on SQLite and PostgreSQL, and keeps none of it; a reminder
after a revoke is withheld, on both."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from onboarding.service.requests import revoke_links
from onboarding.service.sweep import preview_sweep, run_sweep
from tests.support.installation import services_for, waiting_for_documents

OPENED = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)


def _snapshot(services, application_id: str) -> tuple:
    with services.uow() as uow:
        application = uow.applications.get(application_id)
        outbox = [(m["idempotency_key"], m["sent_at"]) for m in uow.outbox.for_application(application_id)]
        return (str(application.state), [r.reminders_sent for r in application.requests], len(application.links),
                len(application.events), outbox, len(uow.staff.events()))


def test_a_dry_run_reports_the_expiry_and_keeps_nothing(tmp_path: Path, database_url: str) -> None:
    application_id = waiting_for_documents(tmp_path / "home", OPENED, database_url)
    services = services_for(tmp_path / "home", database_url)
    before = _snapshot(services, application_id)
    preview = preview_sweep(services, OPENED + timedelta(days=11))
    assert preview["dry_run"] is True
    assert preview["requests"] == {"reminders": 0, "expired": 1}
    assert preview["notifications"]["would_send"] == 4  # the round's SMS and e-mail, the expiry's two
    assert _snapshot(services, application_id) == before
    assert run_sweep(services, OPENED + timedelta(days=11), deliver=False)["requests"]["expired"] == 1
    assert _snapshot(services, application_id)[0] == "expired"


def test_a_reminder_after_a_revoke_is_withheld(tmp_path: Path, database_url: str) -> None:
    application_id = waiting_for_documents(tmp_path / "home", OPENED, database_url)
    services = services_for(tmp_path / "home", database_url)
    revoke_links(services, application_id, actor="staff:test", reason="merchant lost phone")
    _, _, links, _, outbox, _ = _snapshot(services, application_id)
    assert run_sweep(services, OPENED + timedelta(days=4), deliver=False)["requests"]["reminders"] == 0
    state, reminders, links_after, _, outbox_after, _ = _snapshot(services, application_id)
    assert (links_after, outbox_after) == (links, outbox)
    assert reminders == [["72h"]]  # withheld (a late sweep only sends the latest), and not due again
    with services.uow() as uow:
        actions = [e.action for e in uow.applications.get(application_id).events if e.actor == "sweep"]
    assert actions == ["reminder_withheld"]
