"""The back office's JSON API under /api (docs/backoffice.md). A session cookie from POST /api/login; every POST
after it carries X-CSRF-Token. 401 without a session, 403 for a wrong role or CSRF token, 400/422 for bad input,
404 for an unknown id, 409 when the application's state does not allow the action.

No `from __future__ import annotations` here: the action routes are built in a loop and FastAPI reads each
body model from the endpoint's real annotations."""
from typing import Any, Callable, Optional

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from onboarding.backoffice.actions import ACTIONS, Action
from onboarding.backoffice.auth import (
    COOKIE, CSRF_HEADER, check_csrf, clear_session_cookie, client_address, set_session_cookie,
)
from onboarding.backoffice.errors import ApiError
from onboarding.backoffice.state import BackOffice
from onboarding.domain.staff import Permission
from onboarding.service import case_view, ledger_pages, queue, staff as staff_service

ERRORS = {status: {"description": text, "content": {"application/json": {"schema": {
    "type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}}}}
    for status, text in ((400, "bad input"), (401, "no session"), (403, "wrong role or missing CSRF token"),
                         (404, "unknown id"), (409, "the state does not allow it"), (422, "malformed body"))}
CSRF = Header(None, alias=CSRF_HEADER, description="The csrf_token POST /api/login returned.")


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class NewStaffBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    role: str = Field(min_length=1, max_length=16)
    password: Optional[str] = Field(default=None, max_length=256, description="Default: generated, returned once.")


class PasswordBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(min_length=1, max_length=256)


class TerminalBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    serial_number: str = Field(min_length=1, max_length=40)
    model: str = Field(min_length=1, max_length=40)


def _account(account) -> dict[str, Any]:
    return {"username": account.username, "role": str(account.role), "active": account.active,
            "created_at": account.created_at.isoformat(), "created_by": account.created_by,
            "disabled_at": account.disabled_at.isoformat() if account.disabled_at else None}


def build_api(office: BackOffice) -> APIRouter:
    router = APIRouter(prefix="/api", responses=ERRORS)
    services, auth = office.services, office.auth

    def changing(request: Request, token: Optional[str], permission: Permission):
        staff = auth.api_staff(request, permission)
        check_csrf(staff, token)
        return staff

    @router.post("/login", summary="Log in: sets the session cookie, returns the CSRF token")
    def login(request: Request, body: LoginBody) -> JSONResponse:
        try:
            new = staff_service.log_in(services, body.username, body.password, client_address(request))
        except staff_service.LoginRefused as refused:
            raise ApiError(429 if refused.throttled else 401, str(refused)) from None
        response = JSONResponse({"csrf_token": new.session.csrf_token, "username": new.session.username,
                                 "role": str(new.session.role)})
        set_session_cookie(response, request, new.token)
        return response

    @router.post("/logout", summary="End this session")
    def logout(request: Request, x_csrf_token: Optional[str] = CSRF) -> JSONResponse:
        staff = changing(request, x_csrf_token, Permission.VIEW)
        staff_service.log_out(services, request.cookies.get(COOKIE, ""), staff.actor)
        response = JSONResponse({"logged_out": True})
        clear_session_cookie(response, request)
        return response

    @router.get("/me", summary="Who is logged in")
    def me(request: Request) -> dict[str, Any]:
        staff = auth.api_staff(request)
        return {"username": staff.username, "role": str(staff.role), "csrf_token": staff.csrf_token}

    def _filter(state, type_, sla, assignee, duplicates, q, sort, direction, page) -> queue.QueueFilter:
        return queue.parse_filter(state=state, merchant_type=type_, sla=sla, assignee=assignee,
                                  duplicates=duplicates, q=q, sort=sort, direction=direction, page=page)

    QueueParams = dict(
        state=Query(None, description="open, all (default), a state, or states separated by commas"),
        type_=Query(None, alias="type", description="small_micro | sole_trader | enterprise"),
        sla=Query(None, description="green | yellow | red | none"),
        assignee=Query(None, description="me | none | a username"),
        duplicates=Query(None, description="1: only possible duplicates"),
        q=Query(None, description="application id, business name, or a full ID, phone, card or credit-code "
                                  "number (found through the keyed-hash index)"),
        sort=Query(None, description="waiting | age | state | merchant | due | id"),
        direction=Query(None, alias="dir", description="asc | desc"),
        page=Query(None, description="from 1; 50 per page"),
    )

    @router.get("/applications", summary="The queue: filtered, sorted, 50 per page")
    def applications(request: Request, state: Optional[str] = QueueParams["state"],
                     type_: Optional[str] = QueueParams["type_"], sla: Optional[str] = QueueParams["sla"],
                     assignee: Optional[str] = QueueParams["assignee"],
                     duplicates: Optional[str] = QueueParams["duplicates"], q: Optional[str] = QueueParams["q"],
                     sort: Optional[str] = QueueParams["sort"], direction: Optional[str] = QueueParams["direction"],
                     page: Optional[str] = QueueParams["page"]) -> dict[str, Any]:
        staff = auth.api_staff(request)
        chosen = _filter(state, type_, sla, assignee, duplicates, q, sort, direction, page)
        return queue.queue_page(services, chosen, staff.username)

    @router.get("/applications.csv", summary="The queue under the same filters as CSV (formula-safe)",
                response_class=Response, responses={200: {"content": {"text/csv": {}}}})
    def export(request: Request, state: Optional[str] = QueueParams["state"],
               type_: Optional[str] = QueueParams["type_"], sla: Optional[str] = QueueParams["sla"],
               assignee: Optional[str] = QueueParams["assignee"],
               duplicates: Optional[str] = QueueParams["duplicates"], q: Optional[str] = QueueParams["q"],
               sort: Optional[str] = QueueParams["sort"], direction: Optional[str] = QueueParams["direction"]) -> Response:
        staff = auth.api_staff(request)
        chosen = _filter(state, type_, sla, assignee, duplicates, q, sort, direction, None)
        return office.csv_response(staff, chosen)

    @router.get("/applications/{application_id}", summary="One case: the `onboard show --json` shape, masked, "
                "each document with id and image_url, plus notes, messages, links, duplicates")
    def application(request: Request, application_id: str) -> dict[str, Any]:
        auth.api_staff(request)
        return case_view.case_view(services, application_id)

    @router.get("/documents/{document_id}/image", summary="A document as JPEG (every view is audited)",
                response_class=Response, responses={200: {"content": {"image/jpeg": {}}}})
    def document_image(request: Request, document_id: str) -> Response:
        staff = auth.api_staff(request)
        return office.image_response(staff, document_id)

    for action in ACTIONS.values():
        router.add_api_route(f"/applications/{{application_id}}/{action.name}", _action_endpoint(office, action),
                             methods=["POST"], summary=f"{action.label} ({action.permission})",
                             name=f"action_{action.name.replace('-', '_')}")

    @router.get("/terminals", summary="Terminal inventory: stock, reserved, shipped, active, suspended")
    def terminals(request: Request, state: Optional[str] = None, model: Optional[str] = None,
                  page: int = Query(1, ge=1, le=1_000_000)) -> dict[str, Any]:
        auth.api_staff(request)
        return ledger_pages.terminals_page(services, state, model, page)

    @router.get("/terminals/{serial_number}", summary="One terminal with its history")
    def terminal(request: Request, serial_number: str) -> dict[str, Any]:
        auth.api_staff(request)
        return ledger_pages.terminal_detail(services, serial_number)

    @router.post("/terminals", summary="Add a terminal to stock (ops)")
    def add_terminal(request: Request, body: TerminalBody, x_csrf_token: Optional[str] = CSRF) -> dict[str, Any]:
        staff = changing(request, x_csrf_token, Permission.OPERATE)
        added = ledger_pages.add_terminal_by_staff(services, body.serial_number, body.model, actor=staff.actor)
        return {"serial_number": body.serial_number.strip(), "added": added}

    @router.get("/deposits", summary="Deposits per merchant with projections; totals, due soon, reconciliation")
    def deposits(request: Request, state: Optional[str] = None,
                 page: int = Query(1, ge=1, le=1_000_000)) -> dict[str, Any]:
        auth.api_staff(request)
        return ledger_pages.deposits_page(services, state, page)

    @router.post("/sweep/dry-run", summary="What a sweep now would do; changes nothing (ops)")
    def sweep_dry_run(request: Request, x_csrf_token: Optional[str] = CSRF) -> dict[str, Any]:
        staff = changing(request, x_csrf_token, Permission.OPERATE)
        return office.sweep_preview(staff)

    @router.get("/report", summary="The funnel report's figures")
    def report(request: Request) -> dict[str, Any]:
        auth.api_staff(request)
        return office.report_figures()

    @router.get("/staff", summary="Staff accounts (admin)")
    def staff_list(request: Request) -> list[dict[str, Any]]:
        auth.api_staff(request, Permission.MANAGE_STAFF)
        return [_account(a) for a in staff_service.list_staff(services)]

    @router.post("/staff", summary="Add a staff account (admin); a generated password is returned once")
    def staff_add(request: Request, body: NewStaffBody, x_csrf_token: Optional[str] = CSRF) -> dict[str, Any]:
        staff = changing(request, x_csrf_token, Permission.MANAGE_STAFF)
        account, generated = staff_service.add_staff(services, body.username, body.role, body.password,
                                                     actor=staff.actor)
        return {**_account(account), "generated_password": generated}

    @router.post("/staff/{username}/disable", summary="Disable an account and end its sessions (admin)")
    def staff_disable(request: Request, username: str, x_csrf_token: Optional[str] = CSRF) -> dict[str, Any]:
        staff = changing(request, x_csrf_token, Permission.MANAGE_STAFF)
        return {"username": username, "sessions_ended": staff_service.disable_staff(services, username,
                                                                                    actor=staff.actor)}

    @router.post("/staff/{username}/password", summary="Set a new password; ends the account's sessions (admin)")
    def staff_password(request: Request, username: str, body: PasswordBody,
                       x_csrf_token: Optional[str] = CSRF) -> dict[str, Any]:
        staff = changing(request, x_csrf_token, Permission.MANAGE_STAFF)
        ended = staff_service.set_password(services, username, body.password, actor=staff.actor)
        return {"username": username, "sessions_ended": ended}

    return router


def _action_endpoint(office: BackOffice, action: Action) -> Callable:
    def endpoint(request: Request, application_id: str, body, x_csrf_token: Optional[str] = CSRF) -> dict[str, Any]:
        staff = office.auth.api_staff(request, action.permission)
        check_csrf(staff, x_csrf_token)
        outcome = office.perform(action, application_id, body, staff)
        view = case_view.case_view(office.services, application_id)
        result = {"done": action.name, "message": outcome.message, "checks_started": outcome.run,
                  "application": view}
        if action.name == "reveal":
            result["value"] = outcome.value
        return result

    endpoint.__annotations__["body"] = action.body
    endpoint.__name__ = f"action_{action.name.replace('-', '_')}"
    return endpoint

