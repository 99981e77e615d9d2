"""The mail server is down: the email stays pending with the error recorded, and goes out once it is back."""
from __future__ import annotations

from notification_world import enqueue, expected_message_id, new_application, outbox_rows, request_notice

from onboarding.notifications.delivery import deliver_pending
from tests.support.sns_inbox import published_sms
from tests.support.smtp_sink import SmtpSink, plain_text


def test_an_email_refused_by_a_closed_port_is_kept_pending_and_sent_when_the_server_returns(
        services_with_smtp_port, closed_smtp_port, sns_endpoint) -> None:
    services = services_with_smtp_port(closed_smtp_port)
    application_id, phone, _ = new_application(services)
    notice, url = request_notice(application_id, 1)
    enqueue(services, application_id, notice)
    email_key, sms_key = f"{application_id}:request-1:email", f"{application_id}:request-1:sms"

    down = deliver_pending(services, application_id)

    assert (down.sent, down.failed) == (1, 1)  # the SMS does not wait for the mail server
    assert down.errors[0].startswith(f"{email_key}: ConnectionRefusedError")
    email_row = outbox_rows(services, application_id)[email_key]
    assert email_row["sent_at"] is None and email_row["attempts"] == 1
    assert "ConnectionRefusedError" in email_row["last_error"]
    assert url in email_row["body"]  # not redacted while it still has to go out

    with SmtpSink(port=closed_smtp_port) as sink:
        back = deliver_pending(services, application_id)
        again = deliver_pending(services, application_id)

    assert (back.sent, back.failed, again.sent) == (1, 0, 0)
    (received,) = sink.messages
    assert received["Message-ID"] == expected_message_id(email_key)
    assert plain_text(received) == notice.body
    rows = outbox_rows(services, application_id)
    assert rows[email_key]["sent_at"] is not None and rows[email_key]["attempts"] == 2
    assert url not in rows[email_key]["body"]
    assert rows[sms_key]["attempts"] == 1
    assert len(published_sms(sns_endpoint, f"+86{phone}")) == 1
