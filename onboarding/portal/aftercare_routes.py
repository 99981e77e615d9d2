"""What a merchant does from their page after approval: complaints (open, confirm, reopen) and changes of
details (start, code, documents, cancel). Every form posts back here and lands on the page again (303)."""
from __future__ import annotations

import logging
import re

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from documents.types import DocumentType
from onboarding.domain.changes import ChangeRefused, CodeRefused
from onboarding.domain.complaints import ComplaintRefused
from onboarding.portal import aftercare_texts, texts
from onboarding.portal.forms import ReceivedForm, read_form
from onboarding.portal.responses import Portal
from onboarding.portal.security import is_token_shaped
from onboarding.portal.texts import LANGS
from onboarding.portal.uploads import UploadProblem
from onboarding.service import merchant_portal
from onboarding.service.application_input import InvalidApplication
from onboarding.service.change_input import parse_change
from onboarding.service.portal import LinkNotValid
from onboarding.service.submission import UploadedFile, UploadRefused

_ITEM_ID = re.compile(r"(CMP|CHG)-[0-9A-Z]{10}")
CHANGE_DOCUMENTS = {str(DocumentType.BANK_CARD), str(DocumentType.ACCOUNT_PERMIT), str(DocumentType.ADDRESS_PROOF)}
CHANGE_TEXT = {"phone", "email", "business_address", "holder_name", "number", "bank_name"}
SEE_OTHER = {303: {"description": "done; back to the merchant's page"}}
logger = logging.getLogger("onboarding.portal")


def build_aftercare_router(portal: Portal) -> APIRouter:
    router = APIRouter()
    services = portal.services

    def back(request: Request, token: str, done: str) -> RedirectResponse:
        chosen = request.query_params.get("lang")
        lang = f"&lang={chosen}" if chosen in LANGS else ""
        anchor = "complaints" if done.startswith("complaint") else "change"
        return RedirectResponse(f"/r/{token}?done={done}{lang}#{anchor}", status_code=303)

    def refused(request: Request, token: str, key: str, reason: str = "", status: int = 400) -> Response:
        lang = portal.lang(request)
        body = aftercare_texts.text(lang, key, reason=reason) if "{reason}" in aftercare_texts.TEXTS[key][lang] \
            else aftercare_texts.text(lang, key)
        page = portal.pages.env.get_template("aftercare_message.html").render(
            **portal.pages.common(lang), title=aftercare_texts.text(lang, "refused_title"), body=body,
            back_url=f"/r/{token}", back_label=aftercare_texts.text(lang, "back_to_page"))
        return portal.html(request, page, status)

    async def form(request: Request, token: str, text_fields: set[str], file_fields: set[str]) -> ReceivedForm:
        return await read_form(request.stream(), request.headers.get("content-type"), text_fields=text_fields,
                               file_fields=file_fields, max_file_bytes=services.settings.max_upload_bytes)

    def valid(token: str, item_id: str | None = None) -> bool:
        return is_token_shaped(token) and (item_id is None or _ITEM_ID.fullmatch(item_id) is not None)

    @router.post("/r/{token}/complaints", status_code=303, response_class=RedirectResponse, responses=SEE_OTHER)
    async def open_complaint(request: Request, token: str) -> Response:
        if not valid(token):
            return portal.not_valid()
        try:
            received = await form(request, token, {"category", "text"}, {"attachment"})
        except (UploadProblem, ClientDisconnect) as problem:
            return refused(request, token, "refused_complaint", _problem_words(portal, request, problem))
        attachment = next((UploadedFile(DocumentType.INTERIOR_PHOTO, bytes(f.data), f.source_name)
                           for f in received.files), None)
        try:
            await run_in_threadpool(merchant_portal.open_complaint, services, token, received.text("category"),
                                    received.text("text"), attachment)
        except LinkNotValid:
            return portal.not_valid()
        except (ComplaintRefused, UploadRefused) as refusal:
            return refused(request, token, "refused_complaint", _reason(portal, request, refusal))
        return back(request, token, "complaint_opened")

    @router.post("/r/{token}/complaints/{complaint_id}/{action}", status_code=303,
                 response_class=RedirectResponse, responses=SEE_OTHER)
    async def complaint_action(request: Request, token: str, complaint_id: str, action: str) -> Response:
        if not valid(token, complaint_id) or action not in ("confirm", "reopen"):
            return portal.not_valid()
        try:
            await run_in_threadpool(merchant_portal.complaint_action, services, token, complaint_id, action)
        except LinkNotValid:
            return portal.not_valid()
        except ComplaintRefused as refusal:
            return refused(request, token, "refused_complaint", _reason(portal, request, refusal))
        return back(request, token, "complaint_confirmed" if action == "confirm" else "complaint_reopened")

    @router.post("/r/{token}/change", status_code=303, response_class=RedirectResponse, responses=SEE_OTHER)
    async def request_change(request: Request, token: str) -> Response:
        if not valid(token):
            return portal.not_valid()
        try:
            received = await form(request, token, CHANGE_TEXT, CHANGE_DOCUMENTS)
        except (UploadProblem, ClientDisconnect) as problem:
            return refused(request, token, "refused_change", _problem_words(portal, request, problem))
        raw: dict = {k: received.text(k) for k in ("phone", "email", "business_address") if received.text(k)}
        account = {k: received.text(k) for k in ("holder_name", "number", "bank_name") if received.text(k)}
        if account:
            raw["settlement_account"] = account
        files = [UploadedFile(DocumentType(f.field_name), bytes(f.data), f.source_name) for f in received.files]
        try:
            change = parse_change(raw)
            application_id, change_id = await run_in_threadpool(merchant_portal.request_change, services, token,
                                                                change, files)
            state = await run_in_threadpool(merchant_portal.change_state, services, change_id)
        except LinkNotValid:
            return portal.not_valid()
        except (ChangeRefused, InvalidApplication, UploadRefused) as refusal:
            return refused(request, token, "refused_change", _reason(portal, request, refusal))
        if state == "checking":
            _launch(portal, application_id)
        return back(request, token, "change_refused" if state == "refused" else "change_started")

    @router.post("/r/{token}/change/{change_id}/{action}", status_code=303, response_class=RedirectResponse,
                 responses=SEE_OTHER)
    async def change_action(request: Request, token: str, change_id: str, action: str) -> Response:
        if not valid(token, change_id) or action not in ("code", "resend", "documents", "cancel"):
            return portal.not_valid()
        try:
            received = await form(request, token, {"code", "contact"},
                                  CHANGE_DOCUMENTS if action == "documents" else set())
        except (UploadProblem, ClientDisconnect) as problem:
            return refused(request, token, "refused_change", _problem_words(portal, request, problem))
        try:
            if action == "code":
                state = await run_in_threadpool(merchant_portal.enter_code, services, token, change_id,
                                                received.text("code"))
                return back(request, token, "change_applied" if state == "applied" else "code_confirmed")
            if action == "resend":
                await run_in_threadpool(merchant_portal.resend_code, services, token, change_id,
                                        received.text("contact"))
                return back(request, token, "code_sent")
            if action == "cancel":
                await run_in_threadpool(merchant_portal.cancel_change, services, token, change_id)
                return back(request, token, "change_cancelled")
            files = [UploadedFile(DocumentType(f.field_name), bytes(f.data), f.source_name) for f in received.files]
            if not files:
                return refused(request, token, "refused_change", _words(portal, request, "no_documents"))
            application_id = await run_in_threadpool(merchant_portal.change_documents, services, token, change_id,
                                                     files)
            _launch(portal, application_id)
            return back(request, token, "documents_sent")
        except LinkNotValid:
            return portal.not_valid()
        except CodeRefused:
            return refused(request, token, "refused_code")
        except (ChangeRefused, UploadRefused) as refusal:
            return refused(request, token, "refused_change", _reason(portal, request, refusal))

    return router


def _launch(portal: Portal, application_id: str) -> None:
    """The change's documents are stored whatever happens here; a failed start is for ops (`onboard rerun`)."""
    try:
        portal.launch(application_id)
    except Exception:
        logger.exception("could not start the checks for %s", application_id)


def _words(portal: Portal, request: Request, code: str, document_type: str | None = None) -> str:
    lang = portal.lang(request)
    return texts.refusal_text(lang, code, portal.pages.document_label(document_type, lang))


def _problem_words(portal: Portal, request: Request, problem: Exception) -> str:
    if isinstance(problem, UploadProblem):
        return _words(portal, request, problem.code, problem.document_type)
    return _words(portal, request, "malformed_upload")


def _reason(portal: Portal, request: Request, refusal: Exception) -> str:
    """Intake refusals in the merchant's words; the services' own reasons are staff English, so the Chinese
    page says only which field to look at."""
    if isinstance(refusal, UploadRefused):
        return _words(portal, request, refusal.code, refusal.document_type and str(refusal.document_type))
    lang = portal.lang(request)
    if isinstance(refusal, InvalidApplication):
        label = aftercare_texts.TEXTS.get(f"field_{refusal.field.split('.')[0]}", {}).get(lang)
        if label is None:
            return "请检查填写的内容后重试。" if lang == "zh" else f"{refusal.reason}."
        return f"请检查填写的{label}。" if lang == "zh" else f"please check the {label} ({refusal.reason})."
    return "请检查填写的内容后重试。" if lang == "zh" else str(refusal)
