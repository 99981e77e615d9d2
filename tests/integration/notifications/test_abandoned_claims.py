"""A sender that dies between its claim and its confirmation: the message waits out the lease, then goes once
(or, on a channel that cannot drop a copy, is left to staff)."""
from __future__ import annotations

from datetime import timedelta

from notification_world import enqueue, expected_message_id, new_application, outbox_rows, request_notice

from onboarding.notifications.delivery import deliver_pending


def _claim_everything_as_a_dying_sender(services, application_id: str, claimed_at) -> None:
    lease = timedelta(seconds=services.settings.outbox_lease_seconds)
    with services.uow() as uow:
        for row in uow.outbox.for_application(application_id):
            assert uow.outbox.claim(row["id"], claimed_at, lease)
        uow.commit()


def test_a_message_claimed_moments_ago_is_left_to_its_sender(services, smtp_sink) -> None:
    application_id, _, _ = new_application(services)
    enqueue(services, application_id, request_notice(application_id, 1)[0])
    _claim_everything_as_a_dying_sender(services, application_id, services.clock())

    report = deliver_pending(services, application_id)

    assert (report.sent, report.failed) == (0, 0)
    assert smtp_sink.messages == []


def test_a_message_whose_claim_lease_ran_out_is_sent_by_the_next_run_once(services, smtp_sink) -> None:
    application_id, _, _ = new_application(services)
    notice, _ = request_notice(application_id, 1)
    enqueue(services, application_id, notice)
    lease = timedelta(seconds=services.settings.outbox_lease_seconds)
    _claim_everything_as_a_dying_sender(services, application_id, services.clock() - lease - timedelta(seconds=1))

    first, second = deliver_pending(services, application_id), deliver_pending(services, application_id)

    # The e-mail goes again (its Message-ID lets mail systems drop a copy); the SMS through SNS cannot be
    # deduplicated, so it is left to staff as `unknown` (tests/integration/notifications/test_unknown_outcomes.py).
    assert (first.sent, first.unknown, second.sent) == (1, 1, 0)
    (received,) = smtp_sink.messages
    assert received["Message-ID"] == expected_message_id(f"{application_id}:request-1:email")
    rows = outbox_rows(services, application_id)
    email, sms = rows[f"{application_id}:request-1:email"], rows[f"{application_id}:request-1:sms"]
    assert email["attempts"] == 2 and email["sent_at"] is not None
    assert sms["attempts"] == 1 and sms["sent_at"] is None and sms["outcome_unknown_at"] is not None
