"""What a merchant may do after approval through any of their links: read their page, open a complaint,
confirm or reopen one, start a change of details, enter its code, send its documents, cancel it.

Every action is scoped to the link's application: a complaint or change of another application is simply
not found, like an unknown link.
"""
from __future__ import annotations

from onboarding.bootstrap import Services
from onboarding.service import changes, complaints
from onboarding.service.change_input import ChangeInput
from onboarding.service.merchant_status import MerchantStatus, merchant_status
from onboarding.service.portal import LinkNotValid, PortalPage, application_for_link, page_for
from onboarding.service.submission import UploadedFile

ACTOR = "merchant:link"


def open_merchant_page(services: Services, token: str) -> tuple[PortalPage, MerchantStatus]:
    now = services.clock()
    with services.uow() as uow:
        application = application_for_link(uow, token, now)
        return page_for(application, now), merchant_status(services, uow, application)


def _application_id(services: Services, token: str) -> str:
    with services.uow() as uow:
        return application_for_link(uow, token, services.clock()).id


def _owned_change(services: Services, token: str, change_id: str) -> str:
    application_id = _application_id(services, token)
    with services.uow() as uow:
        if not any(c.id == change_id for c in uow.changes.for_application(application_id)):
            raise LinkNotValid()
    return application_id


def open_complaint(services: Services, token: str, category: str, text: str,
                   attachment: UploadedFile | None) -> str:
    return complaints.open_complaint(services, _application_id(services, token), category, text, actor=ACTOR,
                                     attachment=attachment)


def complaint_action(services: Services, token: str, complaint_id: str, action: str) -> None:
    if action not in ("confirm", "reopen"):
        raise LinkNotValid()
    application_id = _application_id(services, token)
    with services.uow() as uow:
        if not any(c.id == complaint_id for c in uow.complaints.for_application(application_id)):
            raise LinkNotValid()
    complaints.act(services, complaint_id, action, actor=ACTOR, application_id=application_id)


def request_change(services: Services, token: str, change: ChangeInput | None, files: list[UploadedFile]) -> tuple[str, str]:
    """Returns (application id, change id); the caller starts the checks when documents came with it."""
    application_id = _application_id(services, token)
    return application_id, changes.request_change(services, application_id, change, files, actor=ACTOR)


def change_documents(services: Services, token: str, change_id: str, files: list[UploadedFile]) -> str:
    application_id = _owned_change(services, token, change_id)
    changes.request_change(services, application_id, None, files, actor=ACTOR)
    return application_id


def enter_code(services: Services, token: str, change_id: str, code: str) -> str:
    _owned_change(services, token, change_id)
    return changes.enter_code(services, change_id, code, actor=ACTOR)


def resend_code(services: Services, token: str, change_id: str, contact: str) -> None:
    _owned_change(services, token, change_id)
    changes.resend_code(services, change_id, contact, actor=ACTOR)


def cancel_change(services: Services, token: str, change_id: str) -> None:
    _owned_change(services, token, change_id)
    changes.cancel(services, change_id, actor=ACTOR, reason="cancelled by the merchant")


def change_state(services: Services, change_id: str) -> str:
    return changes.change_view(services, change_id)["state"]
