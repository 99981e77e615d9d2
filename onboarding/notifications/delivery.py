"""Sends what the outbox holds. Each message is claimed before it leaves, so two senders never both send it.

A sender killed between its claim and the confirmation leaves the message to be sent again once the claim's
lease runs out: at least once, never lost, on the channels where a second copy is harmless (the file sink
overwrites one file per idempotency key, e-mail carries a Message-ID derived from that key). On a channel
without that (SMS through SNS), a message whose outcome is unknown — its claim ran out, or the provider
never answered a request it received — is marked `unknown` instead: not sent again by itself, shown to
staff (`onboard show`, the case page), who decide.
"""
from __future__ import annotations

import re
from datetime import timedelta

from pydantic import BaseModel

from onboarding.domain.notifications import Channel
from onboarding.notifications.senders import OutcomeUnknown

UPLOAD_TOKEN = re.compile(r"/r/[A-Za-z0-9_-]{20,}")


class DeliveryReport(BaseModel):
    sent: int = 0
    failed: int = 0
    unknown: int = 0  # left to staff: the merchant may or may not have it
    errors: list[str] = []


def redact_tokens(body: str) -> str:
    """After sending, the stored copy no longer opens the merchant's upload page."""
    return UPLOAD_TOKEN.sub("/r/[redacted]", body)


def failure_text(error: Exception, recipient: str) -> str:
    """What went wrong, without the address or number (SMTP and SNS errors quote the recipient): the text is
    stored in clear (`outbox.last_error`) and travels in flow errors, logs and Prefect events."""
    text = f"{type(error).__name__}: {error}"
    return text.replace(recipient, "[recipient]") if recipient else text


def deliver_pending(services, application_id: str | None = None, limit: int = 500) -> DeliveryReport:
    report = DeliveryReport()
    lease = timedelta(seconds=services.settings.outbox_lease_seconds)
    not_resendable = [str(channel) for channel, sender in services.senders.items() if not sender.resend_safe]
    with services.uow() as uow:
        report.unknown += uow.outbox.mark_abandoned_unknown(services.clock(), lease, not_resendable)
        uow.commit()
    with services.uow() as uow:
        pending = uow.outbox.pending(services.clock(), lease, limit=limit, application_id=application_id)
    for item in pending:
        with services.uow() as uow:
            claimed = uow.outbox.claim(item.id, services.clock(), lease)
            uow.commit()
        if not claimed:
            continue
        sender = services.senders[Channel(item.message.channel)]
        try:
            sender.send(item.message)
        except OutcomeUnknown as error:
            if sender.resend_safe:
                _release(services, item.id, failure_text(error, item.message.recipient))
                report.failed += 1
            else:
                with services.uow() as uow:
                    uow.outbox.mark_unknown(item.id, services.clock(),
                                            str(error).replace(item.message.recipient, "[recipient]"))
                    uow.commit()
                report.unknown += 1
            report.errors.append(f"{item.message.idempotency_key}: {failure_text(error, item.message.recipient)}")
            continue
        except Exception as error:  # any channel failure: the message goes back to pending for the retry
            _release(services, item.id, failure_text(error, item.message.recipient))
            report.failed += 1
            report.errors.append(f"{item.message.idempotency_key}: {failure_text(error, item.message.recipient)}")
            continue
        with services.uow() as uow:
            uow.outbox.mark_sent(item.id, services.clock(), redact_tokens(item.message.body))
            uow.commit()
        report.sent += 1
    return report


def _release(services, message_id: int, failure: str) -> None:
    with services.uow() as uow:
        uow.outbox.release(message_id, failure)
        uow.commit()
