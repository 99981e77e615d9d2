"""The portal's HTML responses: language choice, the lang cookie, the fixed not-valid page."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from onboarding.bootstrap import Services
from onboarding.portal import texts
from onboarding.portal.pages import Pages
from onboarding.portal.texts import Lang

LANG_COOKIE = "lang"
LANG_COOKIE_SECONDS = 365 * 24 * 3600


@dataclass
class Portal:
    """What the routes share: one per app, nothing at import."""

    services: Services
    pages: Pages
    launch: Callable[[str], None]
    not_valid_body: str

    @classmethod
    def build(cls, services: Services, launch: Callable[[str], None]) -> "Portal":
        pages = Pages(services)
        return cls(services=services, pages=pages, launch=launch, not_valid_body=pages.not_valid())

    @staticmethod
    def lang(request: Request) -> Lang:
        return texts.pick_lang(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))

    def html(self, request: Request, body: str, status_code: int = 200) -> HTMLResponse:
        response = HTMLResponse(body, status_code=status_code)
        chosen = request.query_params.get("lang")
        if chosen in texts.LANGS and chosen != request.cookies.get(LANG_COOKIE):
            response.set_cookie(LANG_COOKIE, chosen, max_age=LANG_COOKIE_SECONDS, path="/", httponly=True,
                                samesite="lax", secure=request.url.scheme == "https")
        return response

    def not_valid(self) -> HTMLResponse:
        """Unknown, malformed, expired, revoked, closed, someone else's document: one answer, no cookie."""
        return HTMLResponse(self.not_valid_body, status_code=404)

    def message(self, request: Request, status_code: int, title_key: str, body: str,
                back_url: str | None = None) -> HTMLResponse:
        lang = self.lang(request)
        return self.html(request, self.pages.message(lang, texts.text(lang, title_key), body, back_url), status_code)

    def refusal(self, request: Request, token: str, status_code: int, code: str,
                document_type: str | None) -> HTMLResponse:
        lang = self.lang(request)
        label = self.pages.document_label(document_type, lang)
        if code == "document_too_large":
            title, body = "too_large_title", texts.text(lang, "too_large", max_mb=self.pages.max_mb())
        elif status_code == 415:
            title, body = "wrong_type_title", texts.refusal_text(lang, "document_type_mismatch", label)
        else:
            title, body = "refused_title", texts.refusal_text(lang, code, label)
        return self.message(request, status_code, title, body, back_url=f"/r/{token}")

    def too_many_requests(self, request: Request) -> Response:
        lang = self.lang(request)
        response = self.message(request, 429, "rate_limited_title", texts.text(lang, "rate_limited"))
        response.headers["Retry-After"] = "60"
        return response

    def server_error(self, request: Request) -> Response:
        lang = self.lang(request)
        return self.message(request, 500, "error_title", texts.text(lang, "error"))
