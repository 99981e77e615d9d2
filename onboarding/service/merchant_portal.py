"""What a merchant may do after approval through any of their links: read their page, open a complaint,
confirm or reopen one, start a change of details, enter its code, send its documents, cancel it.

Every action is scoped to the link's application: a complaint or change of another application is simply
not found, like an unknown link.
"""
from __future__ import annotations

import logging

from onboarding.notifications.delivery import deliver_pending
from onboarding.service import changes, complaints
from onboarding.service.change_input import ChangeInput
from onboarding.service.merchant_status import MerchantStatus, merchant_status
from onboarding.service.portal import LinkNotValid, PortalPage, application_for_link, page_for
from onboarding.service.ports import CaseServices
from onboarding.service.submission import UploadedFile

ACTOR = "merchant:link"
logger = logging.getLogger("onboarding.portal")


def _deliver(services: CaseServices, application_id: str) -> None:
    """A code or a receipt the merchant waits for goes out now; what cannot be sent stays for the sweep."""
    try:
        report = deliver_pending(services, application_id)
    except Exception:
        logger.exception("messages for %s stay in the outbox for the next sweep", application_id)
        return
    if report.failed:
        logger.warning("%d message(s) for %s stay in the outbox for the next sweep", report.failed, application_id)


def open_merchant_page(services: CaseServices, token: str) -> tuple[PortalPage, MerchantStatus]:
    now = services.clock()
    with services.uow() as uow:
        application = application_for_link(uow, token, now)
        return page_for(application, now), merchant_status(services, uow, application)


def _application_id(services: CaseServices, token: str) -> str:
    with services.uow() as uow:
        return application_for_link(uow, token, services.clock()).id


def _owned_change(services: CaseServices, token: str, change_id: str) -> str:
    application_id = _application_id(services, token)
    with services.uow() as uow:
        if not any(c.id == change_id for c in uow.changes.for_application(application_id)):
            raise LinkNotValid()
    return application_id


def open_complaint(services: CaseServices, token: str, category: str, text: str,
                   attachment: UploadedFile | None) -> str:
    application_id = _application_id(services, token)
    complaint_id = complaints.open_complaint(services, application_id, category, text, actor=ACTOR,
                                             attachment=attachment)
    _deliver(services, application_id)
    return complaint_id


def complaint_action(services: CaseServices, token: str, complaint_id: str, action: str) -> None:
    if action not in ("confirm", "reopen"):
        raise LinkNotValid()
    application_id = _application_id(services, token)
    with services.uow() as uow:
        if not any(c.id == complaint_id for c in uow.complaints.for_application(application_id)):
            raise LinkNotValid()
    complaints.act(services, complaint_id, action, actor=ACTOR, application_id=application_id)


def request_change(services: CaseServices, token: str, change: ChangeInput | None,
                   files: list[UploadedFile]) -> tuple[str, str]:
    """Returns (application id, change id); the caller starts the checks when documents came with it."""
    application_id = _application_id(services, token)
    change_id = changes.request_change(services, application_id, change, files, actor=ACTOR)
    _deliver(services, application_id)
    return application_id, change_id


def change_documents(services: CaseServices, token: str, change_id: str, files: list[UploadedFile]) -> str:
    application_id = _owned_change(services, token, change_id)
    changes.request_change(services, application_id, None, files, actor=ACTOR)
    return application_id


def enter_code(services: CaseServices, token: str, change_id: str, code: str) -> str:
    application_id = _owned_change(services, token, change_id)
    state = changes.enter_code(services, change_id, code, actor=ACTOR)
    _deliver(services, application_id)
    return state


def resend_code(services: CaseServices, token: str, change_id: str, contact: str) -> None:
    application_id = _owned_change(services, token, change_id)
    changes.resend_code(services, change_id, contact, actor=ACTOR)
    _deliver(services, application_id)


def cancel_change(services: CaseServices, token: str, change_id: str) -> None:
    _owned_change(services, token, change_id)
    changes.cancel(services, change_id, actor=ACTOR, reason="cancelled by the merchant")


def change_state(services: CaseServices, change_id: str) -> str:
    return changes.change_view(services, change_id)["state"]
