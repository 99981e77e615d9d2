"""Reminders and expiry of supplementary requests across time, through `onboard sweep --as-of`'s service."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from onboarding.bootstrap import get_services
from onboarding.domain.model import Application
from onboarding.domain.states import ApplicationState as S
from onboarding.service.requests import after_decision
from onboarding.service.sweep import run_sweep
from rules.model import Decision, Deficiency, Outcome

OPENED = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)
EXPIRED_BACK = Deficiency(code="document_expired", document_type="id_card_back", field="valid_until",
                          message_zh="您的身份证已于2026-10-01过期，请上传新的身份证。",
                          message_en="Your ID card expired on 2026-10-01; please upload your new card.",
                          staff_note="expired")


@pytest.fixture
def services(onboard_home):
    services = get_services()
    services.clock = lambda: OPENED
    return services


def application_waiting_for_documents(services) -> str:
    services.uow()  # maps the domain classes before one is built
    application = Application(
        merchant_type="small_micro", legal_name="王昌良", id_number="440781197506032481", phone="13800138000",
        email="wang@example.com", business_name="昌良小吃店", business_address="广东省江门市台山市北陡镇沙咀村12号",
        settlement_holder_name="王昌良", settlement_number="6222021234567890123", settlement_bank="工商银行",
        device_model="P2", created_at=OPENED - timedelta(hours=1))
    with services.uow() as uow:
        application.transition(S.CHECKING, actor="engine", reason="test", at=OPENED)
        application.transition(S.NEEDS_DOCUMENTS, actor="engine", reason="document_expired", at=OPENED)
        decision = Decision(outcome=Outcome.NEEDS_DOCUMENTS, deficiencies=[EXPIRED_BACK], rules_version="t",
                            evaluated_on=OPENED.date())
        after_decision(services, uow, application, decision, OPENED, "engine")
        uow.applications.add(application)
        uow.commit()
        return application.id


def sweep(services, hours: float) -> dict:
    return run_sweep(services, OPENED + timedelta(hours=hours))


def outbox_events(services, application_id: str) -> list[str]:
    with services.uow() as uow:
        return sorted({m["idempotency_key"].split(":")[1] for m in uow.outbox.for_application(application_id)})


def test_reminders_at_24_and_72_hours_then_expiry_after_10_days(services):
    application_id = application_waiting_for_documents(services)
    assert sweep(services, 23.9)["requests"] == {"reminders": 0, "expired": 0}
    assert sweep(services, 24)["requests"] == {"reminders": 1, "expired": 0}
    assert sweep(services, 30)["requests"] == {"reminders": 0, "expired": 0}  # sent once, not every sweep
    assert sweep(services, 72)["requests"] == {"reminders": 1, "expired": 0}
    assert sweep(services, 239)["requests"] == {"reminders": 0, "expired": 0}
    report = sweep(services, 240)
    assert report["requests"] == {"reminders": 0, "expired": 1}
    assert sweep(services, 300)["requests"] == {"reminders": 0, "expired": 0}

    with services.uow() as uow:
        application = uow.applications.get(application_id)
        assert application.state == S.EXPIRED
        assert [r.status for r in application.requests] == ["expired"]
        actions = [(e.actor, e.action, e.reason) for e in application.events if e.actor == "sweep"]
    assert actions == [("sweep", "reminder_sent", "24h"), ("sweep", "reminder_sent", "72h"),
                       ("sweep", "transition", "no documents by 2026-11-12T01:00:00+00:00")]
    assert outbox_events(services, application_id) == ["expired", "reminder-r1-24h", "reminder-r1-72h", "request-1"]


def test_a_missed_sweep_sends_only_the_latest_reminder(services):
    application_id = application_waiting_for_documents(services)
    assert sweep(services, 80)["requests"] == {"reminders": 1, "expired": 0}
    with services.uow() as uow:
        assert uow.applications.get(application_id).requests[0].reminders_sent == ["72h"]
    assert sweep(services, 100)["requests"] == {"reminders": 0, "expired": 0}


def test_a_sweep_over_several_batches_reminds_each_application_once(services, monkeypatch):
    monkeypatch.setattr("onboarding.service.request_sweep.BATCH", 2)
    applications = [application_waiting_for_documents(services) for _ in range(5)]
    assert sweep(services, 25)["requests"] == {"reminders": 5, "expired": 0}
    assert sweep(services, 26)["requests"] == {"reminders": 0, "expired": 0}
    assert sweep(services, 24 * 10 + 1)["requests"] == {"reminders": 0, "expired": 5}
    with services.uow() as uow:
        assert {uow.applications.get(a).state for a in applications} == {S.EXPIRED}
    assert [outbox_events(services, a) for a in applications] == [["expired", "reminder-r1-24h", "request-1"]] * 5
