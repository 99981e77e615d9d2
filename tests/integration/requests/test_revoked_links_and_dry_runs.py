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


def test_after_a_revoke_an_approved_merchant_gets_a_link_only_at_a_changed_contact(tmp_path: Path) -> None:
    from onboarding.domain.model import Application
    from onboarding.domain.states import ApplicationState as S
    from onboarding.service.casework import change_contact
    from onboarding.service.review import ReviewRefused

    services = services_for(tmp_path / "home")
    services.clock = lambda: OPENED
    services.uow()  # maps the domain classes before one is built
    application = Application(
        merchant_type="small_micro", legal_name="王昌良", id_number="440781197506032481", phone="13800138000",
        email=None, business_name="昌良小吃店", business_address="广东省江门市台山市北陡镇沙咀村12号",
        settlement_holder_name="王昌良", settlement_number="6222021234567890123", settlement_bank="工商银行",
        device_model="P2", created_at=OPENED)
    with services.uow() as uow:
        application.transition(S.CHECKING, actor="engine", reason="test", at=OPENED)
        application.transition(S.APPROVED, actor="engine", reason="test", at=OPENED)
        application.issue_link("0" * 64, at=OPENED, expires_at=OPENED + timedelta(days=60))
        uow.applications.add(application)
        uow.commit()
    revoke_links(services, application.id, actor="staff:test", reason="merchant lost phone")
    try:
        change_contact(services, application.id, phone="13800138000", email=None, actor="staff:test", reason="x")
        raise AssertionError("a re-issue to the lost phone was accepted")
    except ReviewRefused as refusal:
        assert "revoked" in str(refusal)
    assert change_contact(services, application.id, phone="13900139000", email=None, actor="staff:test",
                          reason="new phone") is True
    with services.uow() as uow:
        live = [link.revoked_at is None for link in uow.applications.get(application.id).links]
        messages = uow.outbox.for_application(application.id)
    assert live == [False, True]
    assert [(m["idempotency_key"], m["recipient"]) for m in messages] == [
        (f"{application.id}:link-reissued-1:sms", "13900139000")]
