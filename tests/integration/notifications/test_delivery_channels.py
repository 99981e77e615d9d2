"""One notice through the outbox to a real SMTP server and to SNS (moto, server mode): once, intact, redacted after."""
from __future__ import annotations

from notification_world import enqueue, expected_message_id, new_application, outbox_rows, request_notice

from onboarding.notifications.delivery import deliver_pending
from tests.support.smtp_sink import plain_text
from tests.support.sns_inbox import published_sms


def test_the_email_arrives_once_with_chinese_subject_and_body_intact_and_a_key_derived_message_id(
        services, smtp_sink) -> None:
    application_id, _, email = new_application(services)
    notice, url = request_notice(application_id, 1)
    enqueue(services, application_id, notice)

    report = deliver_pending(services, application_id)

    assert (report.sent, report.failed) == (2, 0), report.errors
    (received,) = smtp_sink.messages
    assert received["To"] == email
    assert received["Subject"] == notice.subject
    assert plain_text(received) == notice.body
    assert received.get_body(("plain",)).get_content_charset() == "utf-8"
    assert url in plain_text(received)  # the merchant's copy keeps a working link
    assert received["Message-ID"] == expected_message_id(f"{application_id}:request-1:email")
    (mail_from, rcpt_tos, _) = smtp_sink.envelopes[0]
    assert (mail_from, rcpt_tos) == ("onboarding@acquirer.example", [email])


def test_the_sms_is_published_through_sns_to_the_plus_86_number(services, sns_endpoint) -> None:
    application_id, phone, _ = new_application(services)
    notice, _ = request_notice(application_id, 1)
    enqueue(services, application_id, notice)

    deliver_pending(services, application_id)

    (sms,) = published_sms(sns_endpoint, f"+86{phone}")
    assert sms.message == notice.sms


def test_a_second_delivery_run_sends_nothing_more(services, smtp_sink, sns_endpoint) -> None:
    application_id, phone, _ = new_application(services)
    enqueue(services, application_id, request_notice(application_id, 1)[0])
    first = deliver_pending(services, application_id)

    second = deliver_pending(services, application_id)
    everything = deliver_pending(services)

    assert (first.sent, second.sent, everything.sent) == (2, 0, 0)
    assert len(smtp_sink.messages) == 1
    assert len(published_sms(sns_endpoint, f"+86{phone}")) == 1
    assert all(row["attempts"] == 1 and row["sent_at"] is not None
               for row in outbox_rows(services, application_id).values())


def test_the_stored_copies_lose_the_upload_token_once_sent(services, smtp_sink) -> None:
    application_id, _, _ = new_application(services)
    notice, url = request_notice(application_id, 1)
    token = url.rsplit("/r/", 1)[1]
    enqueue(services, application_id, notice)
    assert all(token in row["body"] for row in outbox_rows(services, application_id).values())

    deliver_pending(services, application_id)

    rows = outbox_rows(services, application_id).values()
    assert [token in row["body"] for row in rows] == [False, False]
    assert all("/r/[redacted]" in row["body"] for row in rows)
