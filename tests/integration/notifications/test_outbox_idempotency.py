"""The idempotency key names the event: enqueueing it again adds nothing and changes nothing."""
from __future__ import annotations

from datetime import datetime, timezone

from notification_world import enqueue, new_application, outbox_rows, request_notice

from onboarding.domain.notifications import Channel, OutboxMessage
from onboarding.notifications.delivery import deliver_pending


def test_enqueueing_the_same_notice_twice_keeps_one_row_per_channel(services) -> None:
    application_id, _, _ = new_application(services)
    notice, _ = request_notice(application_id, 1)

    added = [enqueue(services, application_id, notice), enqueue(services, application_id, notice)]

    assert added == [2, 0]
    assert sorted(outbox_rows(services, application_id)) == [f"{application_id}:request-1:email",
                                                             f"{application_id}:request-1:sms"]


def test_a_rerun_with_a_fresh_link_after_sending_neither_adds_nor_resends(services, smtp_sink) -> None:
    """A rerun rebuilds the notice (a new token) under the same event: the key, not the text, decides."""
    application_id, _, _ = new_application(services)
    enqueue(services, application_id, request_notice(application_id, 1)[0])
    deliver_pending(services, application_id)
    sent_rows = outbox_rows(services, application_id)

    rebuilt, _ = request_notice(application_id, 1)
    assert enqueue(services, application_id, rebuilt) == 0
    assert deliver_pending(services, application_id).sent == 0

    assert outbox_rows(services, application_id) == sent_rows
    assert len(smtp_sink.messages) == 1


def test_the_repository_refuses_a_second_message_with_the_same_key(services) -> None:
    application_id, phone, _ = new_application(services)
    key = f"{application_id}:manual:sms"
    at = datetime(2026, 11, 1, tzinfo=timezone.utc)

    def message(body: str) -> OutboxMessage:
        return OutboxMessage(key, Channel.SMS, phone, "主题", body, at, application_id)

    with services.uow() as uow:
        results = [uow.outbox.enqueue(message("第一条")), uow.outbox.enqueue(message("第二条"))]
        uow.commit()

    assert results == [True, False]
    assert [row["body"] for row in outbox_rows(services, application_id).values()] == ["第一条"]
