"""Putting a notice in the outbox: one message per channel, keyed so that a rerun adds nothing."""
from __future__ import annotations

from datetime import datetime

from onboarding.domain.model import Application
from onboarding.domain.notifications import Channel, OutboxMessage
from onboarding.notifications.messages import Notice


def enqueue_notice(uow, application: Application, notice: Notice, at: datetime) -> int:
    """Returns how many messages were new; 0 on a rerun of the same event."""
    messages = [OutboxMessage(idempotency_key=f"{application.id}:{notice.event}:sms", channel=Channel.SMS,
                              recipient=application.phone, subject=notice.subject, body=notice.sms,
                              created_at=at, application_id=application.id)]
    if application.email:
        messages.append(OutboxMessage(idempotency_key=f"{application.id}:{notice.event}:email",
                                      channel=Channel.EMAIL, recipient=application.email, subject=notice.subject,
                                      body=notice.body, created_at=at, application_id=application.id))
    return sum(uow.outbox.enqueue(m) for m in messages)
