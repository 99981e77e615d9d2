"""The merchant's three URLs under `/r/{token}`, plus a health check."""
from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from documents.intake import IntakeRefused
from documents.types import DocumentType
from onboarding.portal.responses import Portal
from onboarding.portal.security import is_document_id_shaped, is_token_shaped, mask_token
from onboarding.portal.texts import LANGS
from onboarding.portal.uploads import UploadProblem, read_upload, request_size_cap
from onboarding.service.merchant_portal import open_merchant_page
from onboarding.service.portal import LinkNotValid, open_link, thumbnail, upload_with_link
from onboarding.service.submission import UploadedFile, UploadRefused

logger = logging.getLogger("onboarding.portal")

# After refusing an upload part-way, read (and drop) at most this much more so the browser gets to
# see the refusal page instead of a reset connection; beyond it the connection is simply closed.
DRAIN_BYTES = 16 * 1024 * 1024
DRAIN_SECONDS = 5.0
REFUSAL_STATUS = {"document_too_large": 413, "document_type_mismatch": 415}

# Declared so the schema shows it; read together with the cookie by `Portal.lang`.
LANG_QUERY = Query(None, description="zh | en; remembered in a cookie")
HTML_PAGES = {status: {"description": text, "content": {"text/html": {}}} for status, text in (
    (400, "upload refused"), (404, "link not valid"), (413, "file too large"),
    (415, "file type not accepted"), (429, "too many requests"))}
PAGE_ERRORS = {status: HTML_PAGES[status] for status in (404, 429)}
STORED = {303: {"description": "stored; back to the link's page, which shows the checks",
                "headers": {"Location": {"schema": {"type": "string"}}}}}
UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object",
    "properties": {t.value: {"type": "string", "format": "binary"} for t in DocumentType},
}}}}}


def build_router(portal: Portal) -> APIRouter:
    router = APIRouter()

    @router.get("/healthz", response_class=JSONResponse)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/r/{token}", response_class=HTMLResponse, responses=PAGE_ERRORS)
    def link_page(request: Request, token: str, lang: str | None = LANG_QUERY) -> Response:
        if not is_token_shaped(token):
            return portal.not_valid()
        try:
            page, status = open_merchant_page(portal.services, token)
        except LinkNotValid:
            return portal.not_valid()
        return portal.html(request, portal.pages.link(page, token, portal.lang(request), status,
                                                      request.query_params.get("done")))

    @router.get("/r/{token}/documents/{document_id}/thumbnail", response_class=Response, responses={
        200: {"content": {"image/jpeg": {}}, "description": "a small JPEG"}, **PAGE_ERRORS})
    def document_thumbnail(token: str, document_id: str) -> Response:
        if not is_token_shaped(token) or not is_document_id_shaped(document_id):
            return portal.not_valid()
        try:
            jpeg = thumbnail(portal.services, token, document_id)
        except (LinkNotValid, IntakeRefused):
            return portal.not_valid()
        return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"})

    @router.post("/r/{token}/upload", status_code=303, response_class=RedirectResponse,
                 responses={**STORED, **HTML_PAGES}, openapi_extra=UPLOAD_BODY)
    async def upload(request: Request, token: str, lang: str | None = LANG_QUERY) -> Response:
        if not is_token_shaped(token):
            return portal.not_valid()
        try:
            page = await run_in_threadpool(open_link, portal.services, token)
        except LinkNotValid:
            return portal.not_valid()
        chunks = request.stream()
        try:
            if not page.can_upload:
                raise UploadProblem(400, "upload_not_expected")
            max_bytes = portal.services.settings.max_upload_bytes
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > request_size_cap(max_bytes, len(page.upload_types)):
                raise UploadProblem(413, "document_too_large")
            received = await read_upload(chunks, request.headers.get("content-type"),
                                         allowed_fields=set(page.upload_types), max_file_bytes=max_bytes)
        except UploadProblem as problem:
            await _drain(request, chunks)
            return portal.refusal(request, token, problem.status, problem.code, problem.document_type)
        except ClientDisconnect:
            return Response(status_code=400)
        files = [UploadedFile(DocumentType(f.field_name), bytes(f.data), f.source_name) for f in received]
        try:
            application_id = await run_in_threadpool(upload_with_link, portal.services, token, files)
        except LinkNotValid:
            return portal.not_valid()
        except UploadRefused as refusal:
            return portal.refusal(request, token, REFUSAL_STATUS.get(refusal.code, 400), refusal.code,
                                  refusal.document_type and str(refusal.document_type))
        _launch(portal, application_id, token)
        chosen = request.query_params.get("lang")
        return RedirectResponse(f"/r/{token}" + (f"?lang={chosen}" if chosen in LANGS else ""), status_code=303)

    return router


def _launch(portal: Portal, application_id: str, token: str) -> None:
    """The documents are stored whatever happens here; a failed start is for ops (`onboard rerun`)."""
    try:
        portal.launch(application_id)
    except Exception:
        logger.exception("could not start the checks for %s (link %s)", application_id, mask_token(token))


async def _drain(request: Request, chunks) -> None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > DRAIN_BYTES:
        return
    drained = 0
    try:
        async with asyncio.timeout(DRAIN_SECONDS):
            async for chunk in chunks:
                drained += len(chunk)
                if drained > DRAIN_BYTES:
                    return
    except (TimeoutError, ClientDisconnect, RuntimeError):  # RuntimeError: the stream had already ended
        return
