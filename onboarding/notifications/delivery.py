"""Sends what the outbox holds. Each message is claimed before it leaves, so two senders never both send it.

A sender killed between its claim and the confirmation leaves the message to be sent again once the claim's
lease runs out: at least once, never lost. The copies that can follow are harmless by channel: the file sink
overwrites one file per idempotency key, and e-mail carries a Message-ID derived from that key.
"""
from __future__ import annotations

import re
from datetime import timedelta

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
    lease = timedelta(seconds=services.settings.outbox_lease_seconds)
    with services.uow() as uow:
        pending = uow.outbox.pending(services.clock(), lease, limit=limit, application_id=application_id)
    for item in pending:
        with services.uow() as uow:
            claimed = uow.outbox.claim(item.id, services.clock(), lease)
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
            uow.outbox.mark_sent(item.id, services.clock(), redact_tokens(item.message.body))
            uow.commit()
        report.sent += 1
    return report
