"""The link every message to a merchant carries: it opens their page (status, deposit, complaints, changes).

One place decides whether a message may carry a link at all: after staff revoked the application's links
(a lost phone), no message mints a new one until staff issue one again.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from onboarding.domain.model import Application
from onboarding.domain.notifications import Channel, OutboxMessage
from onboarding.domain.requests import new_upload_token
from onboarding.notifications.messages import Notice
from onboarding.notifications.outbox import notice_messages
from onboarding.service.ports import SealedRecords


def link_url(services: SealedRecords, token: str) -> str:
    return f"{services.settings.portal_base_url.rstrip('/')}/r/{token}"


def links_revoked(application: Application) -> bool:
    """The newest link was revoked and none was issued since: the merchant's way in is closed."""
    return _closed(application.links[-1].revoked_at if application.links else None)


def _closed(newest_link_revoked_at: datetime | None) -> bool:
    return newest_link_revoked_at is not None


def _expiry(services: SealedRecords, at: datetime, open_request_due_at: datetime | None) -> datetime:
    """A link lasts `merchant_link_days`, or until the open request is due if that is later."""
    expires_at = at + timedelta(days=services.settings.merchant_link_days)
    return open_request_due_at if open_request_due_at is not None and open_request_due_at > expires_at \
        else expires_at


def link_for_notice(services: SealedRecords, application: Application, at: datetime, *,
                    reissue: bool = False) -> str | None:
    """A fresh link for one message (only its hash is kept; the sealed copy lets staff resend it).
    `reissue`: staff changed the contact after a revoke and send a link again."""
    if links_revoked(application) and not reissue:
        return None
    request = application.open_request
    token, token_hash = new_upload_token()
    application.issue_link(token_hash, at=at, expires_at=_expiry(services, at, request.due_at if request else None),
                           sealed_token=services.sealer.seal(token))
    return link_url(services, token)


def links_for_notices(services: SealedRecords, uow, application_ids: list[str], at: datetime) -> dict[str, str]:
    """A link each for the messages of a batch (a sweep's deposit decisions, tens of thousands), by application
    id: the same rules as `link_for_notice`, read and written without loading each application."""
    links, issued = {}, []
    for application_id, (revoked_at, due_at) in uow.applications.link_standing(application_ids).items():
        if _closed(revoked_at):
            continue
        token, token_hash = new_upload_token()
        # Rows, not `UploadLink`s: a mapped object costs more to build than the row it becomes.
        issued.append({"application_id": application_id, "token_hash": token_hash, "created_at": at,
                       "expires_at": _expiry(services, at, due_at), "sealed_token": services.sealer.seal(token)})
        links[application_id] = link_url(services, token)
    uow.applications.add_links(issued)
    return links


def enqueue_with_link(services: SealedRecords, uow, application: Application, at: datetime, notice_for) -> int:
    """`notice_for(url_or_None)` builds the notice; it goes to the merchant's phone and e-mail on file."""
    notice: Notice = notice_for(link_for_notice(services, application, at))
    return sum(uow.outbox.enqueue(m) for m in notice_messages(application.id, application.phone, application.email,
                                                              notice, at))


def staff_alert(services: SealedRecords, key: str, subject: str, body: str, at: datetime) -> list[OutboxMessage]:
    """A message to the staff alert address, when one is configured (otherwise staff see it in the queue)."""
    address = services.settings.staff_alert_email
    if not address:
        return []
    return [OutboxMessage(idempotency_key=f"staff:{key}", channel=Channel.EMAIL, recipient=address,
                          subject=subject, body=body, created_at=at)]
