"""The merchant upload portal (FastAPI). Built by `create_app`; nothing is created at import."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from onboarding.bootstrap import Services, get_services
from onboarding.runtime import configure_prefect
from onboarding.portal.middleware import ErrorPageMiddleware, RateLimitMiddleware, SecurityHeadersMiddleware
from onboarding.portal.ratelimit import PortalLimits
from onboarding.portal.responses import Portal
from onboarding.portal.aftercare_routes import build_aftercare_router
from onboarding.portal.routes import build_router
from onboarding.portal.texts import text

logger = logging.getLogger("onboarding.portal")

Launch = Callable[[str], None]


def _run_checks(services: Services, application_id: str) -> None:
    try:
        services.runs.start([application_id])
    except Exception:  # the upload is recorded; ops rerun the flow, which picks up where it stopped
        logger.exception("onboarding run for %s failed; `onboard rerun %s` retries it", application_id, application_id)


def _background_launcher(services: Services) -> tuple[Launch, ThreadPoolExecutor]:
    # Off the request thread: a start queues the run and may launch a runner (`onboard serve`'s takes it at once).
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="portal-checks")

    def launch(application_id: str) -> None:
        executor.submit(_run_checks, services, application_id)

    return launch, executor


def create_app(services: Services, launch: Launch | None = None, limits: PortalLimits | None = None) -> FastAPI:
    """`launch(application_id)` starts the checks after an upload; by default a background run of the flow."""
    executor = None
    if launch is None:
        launch, executor = _background_launcher(services)
    portal = Portal.build(services, launch)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Migrations and rule files load before the first merchant arrives, not during their request.
        await run_in_threadpool(lambda: (services.uow(), services.ruleset))
        yield
        if executor is not None:
            # Uploads already accepted deserve their check, so queued runs finish before the process ends.
            await run_in_threadpool(executor.shutdown, wait=True)

    app = FastAPI(title="Merchant upload portal", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json", lifespan=lifespan)
    app.state.portal = portal
    app.include_router(build_router(portal))
    app.include_router(build_aftercare_router(portal))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404:
            return portal.not_valid()
        lang = portal.lang(request)
        return portal.message(request, error.status_code, "error_title", text(lang, "error"))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, _error: RequestValidationError) -> Response:
        return portal.not_valid()

    app.add_middleware(RateLimitMiddleware, limits=limits or PortalLimits(), too_many=portal.too_many_requests)
    app.add_middleware(ErrorPageMiddleware, error_page=portal.server_error)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


def create_app_from_env() -> FastAPI:
    """For `uvicorn --factory onboarding.portal.app:create_app_from_env`."""
    services = get_services()
    configure_prefect(services.settings)
    return create_app(services)
