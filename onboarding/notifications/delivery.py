"""Sends what the outbox holds. Each message is claimed before it leaves, so two senders never both send it."""
from __future__ import annotations

import re

from pydantic import BaseModel

from onboarding.domain.notifications import Channel

UPLOAD_TOKEN = re.compile(r"/r/[A-Za-z0-9_-]{20,}")


class DeliveryReport(BaseModel):
    sent: int = 0
    failed: int = 0
    errors: list[str] = []


def redact_tokens(body: str) -> str:
    """After sending, the stored copy no longer opens the merchant's upload page."""
    return UPLOAD_TOKEN.sub("/r/[redacted]", body)


def deliver_pending(services, application_id: str | None = None, limit: int = 500) -> DeliveryReport:
    report = DeliveryReport()
    with services.uow() as uow:
        pending = uow.outbox.pending(limit=limit, application_id=application_id)
    for item in pending:
        with services.uow() as uow:
            claimed = uow.outbox.claim(item.id, services.clock())
            uow.commit()
        if not claimed:
            continue
        try:
            services.senders[Channel(item.message.channel)].send(item.message)
        except Exception as error:  # any channel failure: the message goes back to pending for the retry
            with services.uow() as uow:
                uow.outbox.release(item.id, f"{type(error).__name__}: {error}")
                uow.commit()
            report.failed += 1
            report.errors.append(f"{item.message.idempotency_key}: {type(error).__name__}: {error}")
            continue
        with services.uow() as uow:
            uow.outbox.set_body(item.id, redact_tokens(item.message.body))
            uow.commit()
        report.sent += 1
    return report
