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
