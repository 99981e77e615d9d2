"""The staff back office (FastAPI, server-rendered). Built by `create_backoffice_app`; nothing is created at import.

Served alone by `onboard backoffice` and, with the portal and Prefect, by `onboard serve`. It has its own app
and port: none of its routes exist on the merchant portal."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onboarding.adapters.aftercare_repository import NotFound
from onboarding.adapters.repository import ApplicationNotFound
from onboarding.backoffice.aftercare import build_aftercare_routes  # also registers its case section and actions
from onboarding.backoffice.api import build_api
from onboarding.backoffice.auth import Auth, LoginNeeded
from onboarding.backoffice.errors import ApiError, problem_for
from onboarding.backoffice.launcher import Launch, background_launcher, background_sender
from onboarding.backoffice.pages import build_pages
from onboarding.backoffice.rendering import STATIC_DIR, environment
from onboarding.backoffice.report import LiveReport
from onboarding.backoffice.state import BackOffice
from onboarding.bootstrap import Services, get_services
from onboarding.runtime import configure_prefect
from onboarding.domain.calls import CallRefused
from onboarding.domain.changes import ChangeRefused
from onboarding.domain.complaints import ComplaintRefused
from onboarding.domain.staff import StaffRefused
from onboarding.domain.states import IllegalTransition
from onboarding.domain.terminals import LedgerError
from onboarding.service.application_input import InvalidApplication
from onboarding.service.call_outcomes import CallNotRecorded
from onboarding.service.queue import QueueRefused
from onboarding.service.review import ReviewRefused
from onboarding.service.search_index import index_missing
from rules.deposit_policy import UnknownDeviceModel

logger = logging.getLogger("onboarding.backoffice")

# Our own script and stylesheet only; document images come from our own routes.
CONTENT_SECURITY_POLICY = ("default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; "
                           "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Resource-Policy": "same-origin",
}


class SecurityHeaders:
    """Every answer: no framing, no sniffing, our CSP unless the route set its own, and not cached (PII)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
                if "cache-control" not in headers:
                    headers["Cache-Control"] = "private, max-age=300" if static else "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def create_backoffice_app(services: Services, launch: Launch | None = None) -> FastAPI:
    """`launch(application_id, from_step)` starts the checks after an action that needs them; by default a
    background run of the flow (see onboarding.backoffice.launcher). Messages an action queues (a request round,
    an approval) are sent right after it, off the request thread."""
    executors = []
    if launch is None:
        launch, checks = background_launcher(services)
        executors.append(checks)
    deliver, messages = background_sender(services)
    executors.append(messages)
    office = BackOffice(services=services, auth=Auth(services), launch=launch, report=LiveReport(services),
                        env=environment(services.settings.timezone), deliver=deliver)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Migrations, rule files and the search index of older applications, before the first staff member.
        indexed = await run_in_threadpool(lambda: (services.uow(), services.ruleset, index_missing(services))[2])
        if indexed:
            logger.info("search index: %d application(s) indexed", indexed)
        yield
        office.report.close()
        for executor in executors:  # accepted work finishes before the process ends
            await run_in_threadpool(executor.shutdown, wait=True)

    app = FastAPI(title="Merchant onboarding back office", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json", lifespan=lifespan)
    app.state.backoffice = office
    app.include_router(build_aftercare_routes(office))
    app.include_router(build_api(office))
    app.include_router(build_pages(office))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    def error_response(request: Request, status: int, message: str) -> Response:
        if _is_api(request):
            return JSONResponse({"error": message}, status_code=status)
        staff = office.auth.staff(request) if status != 401 else None
        body = office.env.get_template("error.html").render(staff=staff, status=status, message=message,
                                                              path=request.url.path, csrf_field="csrf_token",
                                                              can=lambda p: False)
        return HTMLResponse(body, status_code=status)

    async def known_problem(request: Request, error: Exception) -> Response:
        status, message = problem_for(error) or (500, "something went wrong; it is logged")
        return await run_in_threadpool(error_response, request, status, message)

    for kind in _problem_classes():
        app.add_exception_handler(kind, known_problem)

    @app.exception_handler(LoginNeeded)
    async def login_needed(request: Request, _error: LoginNeeded) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "request"
        return await run_in_threadpool(error_response, request, 422, f"{where}: {first.get('msg')}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        message = {404: "not found", 405: "method not allowed"}.get(error.status_code, str(error.detail))
        return await run_in_threadpool(error_response, request, error.status_code, message)

    @app.exception_handler(Exception)
    async def bug(request: Request, error: Exception) -> Response:
        logger.exception("back office error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": "something went wrong; it is logged"}, status_code=500) if _is_api(request) \
            else HTMLResponse("<h1>Something went wrong</h1><p>It is logged.</p>", status_code=500)

    app.add_middleware(SecurityHeaders)
    return app


def _problem_classes() -> tuple[type[BaseException], ...]:
    return (ApiError, ApplicationNotFound, StaffRefused, IllegalTransition, LedgerError, InvalidApplication,
            QueueRefused, ReviewRefused, UnknownDeviceModel, NotFound, CallRefused, CallNotRecorded, ChangeRefused,
            ComplaintRefused)


def create_backoffice_app_from_env() -> FastAPI:
    """For `uvicorn --factory onboarding.backoffice.app:create_backoffice_app_from_env`."""
    services = get_services()
    configure_prefect(services.settings)
    return create_backoffice_app(services)
