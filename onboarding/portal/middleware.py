"""ASGI layers around every request: security headers, rate limits, and the one place errors end."""
from __future__ import annotations

import logging
import time
import traceback
from typing import Callable

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onboarding.portal.ratelimit import PortalLimits, SlidingWindow
from onboarding.portal.security import DEFAULT_CACHE_CONTROL, SECURITY_HEADERS, mask_tokens

logger = logging.getLogger("onboarding.portal")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                if "cache-control" not in headers:
                    headers["Cache-Control"] = DEFAULT_CACHE_CONTROL
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ErrorPageMiddleware:
    """Any exception ends here: logged once with tokens masked, answered with a generic page.

    Starlette's own server-error handler re-raises after answering, so the server would log the
    unmasked traceback a second time; catching here keeps the token out of every log line.
    It also writes the access log, for the same reason (uvicorn's would print the token).
    """

    def __init__(self, app: ASGIApp, error_page: Callable[[Request], Response]) -> None:
        self.app = app
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500, "sent": False}

        async def tracking_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"], status["sent"] = message["status"], True
            await send(message)

        path = mask_tokens(scope.get("path", ""))
        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            text = "".join(traceback.format_exception(error))
            logger.error("portal error on %s %s\n%s", scope.get("method"), path, mask_tokens(text))
            if not status["sent"]:
                await self.error_page(Request(scope))(scope, receive, tracking_send)
        finally:
            logger.info("%s %s %s %.0fms", scope.get("method"), path, status["code"],
                        (time.perf_counter() - started) * 1000)


class RateLimitMiddleware:
    """Per client IP on every link request; per token on its pages and, tighter, on its uploads."""

    def __init__(self, app: ASGIApp, limits: PortalLimits, too_many: Callable[[Request], Response]) -> None:
        self.app = app
        self.too_many = too_many
        self.per_ip = SlidingWindow(limits.per_ip)
        self.per_token = SlidingWindow(limits.per_token)
        self.uploads = SlidingWindow(limits.uploads_per_token)

    def _allowed(self, scope: Scope) -> bool:
        path: str = scope.get("path", "")
        if not path.startswith("/r/"):
            return True
        client = scope.get("client") or ("unknown", 0)
        token = path[3:].split("/", 1)[0][:64]
        if not self.per_ip.allow(client[0]):
            return False
        if not self.per_token.allow(token):
            return False
        return scope.get("method") != "POST" or self.uploads.allow(token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._allowed(scope):
            await self.too_many(Request(scope))(scope, receive, send)
            return
        await self.app(scope, receive, send)
