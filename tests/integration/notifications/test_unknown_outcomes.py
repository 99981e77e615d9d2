"""Sends whose outcome is unknown: an SMS is never sent twice by us or by the SDK; an e-mail is, with one Message-ID.

SNS has no idempotency key for SMS, so an SMS that may have gone (no answer to a publish SNS received, or a
sender that died holding the claim) is marked `unknown` for staff. An e-mail sent again carries the same
Message-ID, which mail systems use to drop the copy.
"""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlparse

from notification_world import delivery_services, enqueue, expected_message_id, new_application, outbox_rows, \
    request_notice

from onboarding.notifications.delivery import deliver_pending
from onboarding.service.case_view import case_view
from onboarding.service.views import application_view
from tests.support.slow_proxy import SlowAnswerProxy
from tests.support.sns_inbox import published_sms


def _statuses(services, application_id: str) -> dict[str, str]:
    return {m["channel"]: m["status"] for m in application_view(services, application_id)["messages"]}


def test_a_slow_sns_answer_publishes_once_and_leaves_the_sms_to_staff(tmp_path, database_url, sns_endpoint,
                                                                      smtp_sink) -> None:
    moto = urlparse(sns_endpoint)
    with SlowAnswerProxy(moto.hostname, moto.port, delay_seconds=2.5) as slow_sns:
        services = delivery_services(tmp_path / "home", database_url, smtp_port=smtp_sink.port,
                                     sns_endpoint_url=slow_sns.url)
        services.settings.sns_read_timeout_seconds = 1
        application_id, phone, _ = new_application(services)
        enqueue(services, application_id, request_notice(application_id, 1)[0])

        first = deliver_pending(services, application_id)
        later = deliver_pending(services, application_id)

    assert (first.sent, first.unknown, later.sent, later.unknown) == (1, 1, 0, 0), first.errors
    assert len(published_sms(sns_endpoint, f"+86{phone}")) == 1  # SNS took it once; nobody published again
    assert _statuses(services, application_id) == {"sms": "unknown", "email": "sent"}


def test_after_a_sender_died_holding_the_claim_the_email_goes_again_and_the_sms_does_not(
        services, smtp_sink, sns_endpoint) -> None:
    application_id, phone, _ = new_application(services)
    enqueue(services, application_id, request_notice(application_id, 1)[0])
    lease = timedelta(seconds=services.settings.outbox_lease_seconds)
    with services.uow() as uow:  # a sender claimed both, handed them to the providers, and was killed
        for row in uow.outbox.for_application(application_id):
            assert uow.outbox.claim(row["id"], services.clock() - lease - timedelta(seconds=1), lease)
        uow.commit()

    first, second = deliver_pending(services, application_id), deliver_pending(services, application_id)

    assert (first.sent, first.unknown, second.sent, second.unknown) == (1, 1, 0, 0)
    (received,) = smtp_sink.messages
    assert received["Message-ID"] == expected_message_id(f"{application_id}:request-1:email")
    assert published_sms(sns_endpoint, f"+86{phone}") == []
    rows = outbox_rows(services, application_id)
    assert rows[f"{application_id}:request-1:sms"]["outcome_unknown_at"] is not None
    assert _statuses(services, application_id) == {"sms": "unknown", "email": "sent"}
    shown = {m["channel"]: m["status"] for m in case_view(services, application_id)["messages"]}
    assert shown == {"sms": "unknown", "email": "sent"}


def _sms_left_to_staff(services) -> tuple[str, str, str]:
    application_id, phone, _ = new_application(services)
    enqueue(services, application_id, request_notice(application_id, 1)[0])
    lease = timedelta(seconds=services.settings.outbox_lease_seconds)
    with services.uow() as uow:  # a sender claimed the SMS, handed it to SNS, and was killed
        sms = next(r for r in uow.outbox.for_application(application_id) if r["channel"] == "sms")
        assert uow.outbox.claim(sms["id"], services.clock() - lease - timedelta(seconds=1), lease)
        uow.commit()
    deliver_pending(services, application_id)
    assert _statuses(services, application_id)["sms"] == "unknown"
    return application_id, phone, f"{application_id}:request-1:sms"


def _history(services, application_id: str) -> list[tuple[str, str]]:
    return [(e["action"], e["actor"]) for e in application_view(services, application_id)["history"]]


def test_staff_decide_an_unknown_sms_resend_goes_once_delivered_sends_nothing(services, smtp_sink,
                                                                              sns_endpoint) -> None:
    import pytest

    from onboarding.service.messages import decide_unknown_message
    from onboarding.service.review import ReviewRefused

    resent_app, resent_phone, resent_key = _sms_left_to_staff(services)
    done = decide_unknown_message(services, resent_key, resend=True, actor="staff:rita", reason="merchant got none")
    assert (done.decision, done.sent) == ("resent", True)
    assert len(published_sms(sns_endpoint, f"+86{resent_phone}")) == 1
    assert _statuses(services, resent_app)["sms"] == "sent"
    assert ("message_resent", "staff:rita") in _history(services, resent_app)
    with pytest.raises(ReviewRefused, match="is sent"):  # decided once; a second decision changes nothing
        decide_unknown_message(services, resent_key, resend=True, actor="staff:rita", reason="again")
    assert len(published_sms(sns_endpoint, f"+86{resent_phone}")) == 1

    kept_app, kept_phone, kept_key = _sms_left_to_staff(services)
    done = decide_unknown_message(services, kept_key, resend=False, actor="staff:rita", reason="merchant has it")
    assert (done.decision, done.sent) == ("marked_delivered", False)
    assert published_sms(sns_endpoint, f"+86{kept_phone}") == []
    assert _statuses(services, kept_app)["sms"] == "sent"
    assert ("message_marked_delivered", "staff:rita") in _history(services, kept_app)

    with pytest.raises(ReviewRefused, match="no message"):
        decide_unknown_message(services, "APP-NONE:request-1:sms", resend=True, actor="staff:rita", reason="x")
    with pytest.raises(ReviewRefused, match="reason"):
        decide_unknown_message(services, kept_key, resend=True, actor="staff:rita", reason=" ")
