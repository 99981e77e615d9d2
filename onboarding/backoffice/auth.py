"""Who is asking: the session cookie, roles, and the CSRF token every change must carry.

The cookie is HttpOnly and SameSite=Strict, and Secure when the request came over https (directly or through
a proxy uvicorn trusts). The CSRF token belongs to the session: the API takes it in `X-CSRF-Token`, forms in a
hidden `csrf_token` field; a change without it is refused before anything runs.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from onboarding.bootstrap import Services
from onboarding.backoffice.errors import ApiError
from onboarding.domain.staff import Permission
from onboarding.service.staff import StaffSession, session_for

COOKIE = "onboard_staff"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


class LoginNeeded(Exception):
    """An HTML page asked for without a live session: the login page, then back."""


@dataclass
class Auth:
    services: Services

    def staff(self, request: Request) -> StaffSession | None:
        cached = getattr(request.state, "staff", None)
        if cached is None:
            cached = session_for(self.services, request.cookies.get(COOKIE))
            request.state.staff = cached
        return cached

    def api_staff(self, request: Request, permission: Permission = Permission.VIEW) -> StaffSession:
        staff = self.staff(request)
        if staff is None:
            raise ApiError(401, "not logged in, or the session ended (POST /api/login)")
        if not staff.role.may(permission):
            raise ApiError(403, f"your role ({staff.role}) may not do this; it needs {permission}")
        return staff

    def page_staff(self, request: Request, permission: Permission = Permission.VIEW) -> StaffSession:
        staff = self.staff(request)
        if staff is None:
            raise LoginNeeded()
        if not staff.role.may(permission):
            raise ApiError(403, f"your role ({staff.role}) may not do this; it needs {permission}")
        return staff


def check_csrf(staff: StaffSession, presented: str | None) -> None:
    if not presented or not hmac.compare_digest(presented.encode(), staff.csrf_token.encode()):
        raise ApiError(403, f"missing or wrong CSRF token ({CSRF_HEADER} header, or the form's {CSRF_FIELD})")


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    # No max-age: the cookie goes with the browser; the session itself ends on the server after idle time.
    response.set_cookie(COOKIE, token, path="/", httponly=True, samesite="strict", secure=is_https(request))


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=is_https(request))


def client_address(request: Request) -> str:
    return (request.client.host if request.client else "unknown")[:64]
