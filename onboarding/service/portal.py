"""What a merchant's upload link may see and do. Scope: one application, its open request, its documents."""
from __future__ import annotations

import hmac
import io
from datetime import datetime, timedelta

from pydantic import BaseModel

from documents.intake import decode_document
from onboarding.domain.model import Application
from onboarding.domain.requests import ItemStatus, hash_token
from onboarding.domain.states import ApplicationState
from onboarding.service.ports import FileRecords
from onboarding.service.submission import UploadedFile, UploadRefused, add_documents

# A link stops working with these: nothing is left to do, and nothing should be shown.
CLOSED_STATES = frozenset({ApplicationState.EXPIRED, ApplicationState.WITHDRAWN, ApplicationState.REJECTED})
CHECKING_STATES = frozenset({ApplicationState.SUBMITTED, ApplicationState.CHECKING})
# Between an upload and the flow taking the application into `checking`, the merchant should already see
# "checking"; past this grace the form comes back, so a lost start (a restart) never strands the merchant.
AWAITING_CHECK_GRACE = timedelta(minutes=15)


class PortalItem(BaseModel):
    document_type: str | None
    code: str
    message_zh: str
    message_en: str
    status: str  # missing | checking | accepted
    thumbnail_document_id: str | None = None


class PortalPage(BaseModel):
    application_id: str
    business_name: str
    state: str
    can_upload: bool
    checking: bool
    due_at: datetime | None
    round_number: int | None
    items: list[PortalItem]
    upload_types: list[str]


class LinkNotValid(LookupError):
    """Unknown, expired, revoked or closed: the caller shows one plain page for all of them."""


def _application_for(uow, token: str, now: datetime) -> Application:
    token_hash = hash_token(token)
    link = uow.applications.find_link(token_hash)
    if link is None or not hmac.compare_digest(link.token_hash, token_hash) or not link.is_valid(now):
        raise LinkNotValid()
    application = uow.applications.get(link.application_id)
    if application.state in CLOSED_STATES:
        raise LinkNotValid()
    return application


def application_for_link(uow, token: str, now: datetime) -> Application:
    """The application a merchant's link opens; `LinkNotValid` for any link that must not open anything."""
    return _application_for(uow, token, now)


def page_for(application: Application, now: datetime) -> PortalPage:
    return _page(application, now)


def _awaiting_check(application: Application, latest, current: dict, now: datetime) -> bool:
    """Documents arrived for the open round since its last answer and the checks have not started yet. (A
    refused upload is answered within its round: the round's last decision, not its opening, is the mark.)"""
    if application.state != ApplicationState.NEEDS_DOCUMENTS or latest is None or not latest.is_open:
        return False
    wanted = latest.open_document_types()
    decision = application.latest_decision
    answered = max(latest.created_at, decision.decided_at) if decision else latest.created_at
    return any(str(t) in wanted and answered <= d.uploaded_at and now - d.uploaded_at < AWAITING_CHECK_GRACE
               for t, d in current.items())


def _page(application: Application, now: datetime) -> PortalPage:
    latest = application.requests[-1] if application.requests else None
    current = application.current_documents()
    checking = application.state in CHECKING_STATES or _awaiting_check(application, latest, current, now)
    items = []
    for item in (latest.items if latest else []):
        status = {ItemStatus.OPEN: "missing", ItemStatus.SUPERSEDED: "missing"}.get(item["status"], "accepted")
        document = current.get(item.get("document_type")) if item.get("document_type") else None
        if status == "missing" and checking and document is not None and latest and \
                document.uploaded_at >= latest.created_at:
            status = "checking"
        if application.state in (ApplicationState.APPROVED, ApplicationState.SHIPPED, ApplicationState.ACTIVE):
            status = "accepted"
        items.append(PortalItem(document_type=item.get("document_type"), code=item["code"],
                                message_zh=item["message_zh"], message_en=item["message_en"], status=status,
                                thumbnail_document_id=document.id if document and status == "missing" else None))
    request = application.open_request
    can_upload = request is not None and request.accepts_uploads(now) and not checking
    return PortalPage(
        application_id=application.id, business_name=application.business_name, state=str(application.state),
        can_upload=can_upload, checking=checking, due_at=latest.due_at if latest else None,
        round_number=latest.round_number if latest else None, items=items,
        upload_types=sorted(request.open_document_types()) if request else [],
    )


def open_link(services: FileRecords, token: str) -> PortalPage:
    with services.uow() as uow:
        return _page(_application_for(uow, token, services.clock()), services.clock())


def upload_with_link(services: FileRecords, token: str, files: list[UploadedFile]) -> str:
    """Stores the files if the link may take them; returns the application id so the caller can start the checks."""
    with services.uow() as uow:
        application = _application_for(uow, token, services.clock())
        page = _page(application, services.clock())
        application_id = application.id  # the instance is detached (and expired) once the unit of work ends
    if not page.can_upload:
        raise UploadRefused("upload_not_expected", "this application is not waiting for documents")
    for file in files:
        if str(file.document_type) not in page.upload_types:
            raise UploadRefused("document_not_requested", f"{file.document_type} was not requested",
                                file.document_type)
    add_documents(services, application_id, files, actor="merchant:link")
    return application_id


def thumbnail(services: FileRecords, token: str, document_id: str, max_side: int = 480) -> bytes:
    """A small JPEG of one of this application's documents; another application's id is simply not found."""
    with services.uow() as uow:
        application = _application_for(uow, token, services.clock())
        document = next((d for d in application.documents if d.id == document_id), None)
        if document is None:
            raise LinkNotValid()
        sha256 = document.sha256
    # Decoded only: the file passed intake when it was stored (a gate made stricter since must not hide it).
    image = decode_document(services.blobs.get(sha256), services.intake_limits)
    image.thumbnail((max_side, max_side))
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=80)
    return buffer.getvalue()
