"""Putting a notice in the outbox: one message per channel, keyed so that a rerun adds nothing."""
from __future__ import annotations

from datetime import datetime

from onboarding.domain.model import Application
from onboarding.domain.notifications import Channel, OutboxMessage
from onboarding.notifications.messages import Notice


def notice_messages(application_id: str, phone: str, email: str | None, notice: Notice,
                    at: datetime) -> list[OutboxMessage]:
    """The SMS, and the email when the merchant gave an address; keyed by application and event."""
    messages = [OutboxMessage(idempotency_key=f"{application_id}:{notice.event}:sms", channel=Channel.SMS,
                              recipient=phone, subject=notice.subject, body=notice.sms,
                              created_at=at, application_id=application_id)]
    if email:
        messages.append(OutboxMessage(idempotency_key=f"{application_id}:{notice.event}:email",
                                      channel=Channel.EMAIL, recipient=email, subject=notice.subject,
                                      body=notice.body, created_at=at, application_id=application_id))
    return messages


def enqueue_notice(uow, application: Application, notice: Notice, at: datetime) -> int:
    """Returns how many messages were new; 0 on a rerun of the same event."""
    messages = notice_messages(application.id, application.phone, application.email, notice, at)
    return sum(uow.outbox.enqueue(m) for m in messages)
