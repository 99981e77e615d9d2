"""The back office's HTML pages: login, queue, case, terminals, deposits, report, staff. Server-rendered; every
form carries the session's CSRF token; a refusal re-renders the page with its reason."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from onboarding.backoffice.actions import ACTIONS, FORM_READERS
from onboarding.backoffice.auth import (
    COOKIE, CSRF_FIELD, check_csrf, clear_session_cookie, client_address, set_session_cookie,
)
from onboarding.backoffice.case_page import page_context
from onboarding.backoffice.errors import ApiError, problem_for
from onboarding.backoffice.report import CSP as REPORT_CSP
from onboarding.backoffice.state import BackOffice
from onboarding.domain.staff import Permission, Role
from onboarding.domain.states import ApplicationState
from onboarding.service import case_view, ledger_pages, queue, staff as staff_service
from onboarding.service.staff import StaffSession
from onboarding.domain.sla import SLA_COLOURS
from rules.model import MerchantType

QUEUE_PARAMS = ("state", "type", "sla", "assignee", "duplicates", "q", "sort", "dir")


def safe_next(value: str | None) -> str:
    """Only a path of ours: never another host (`//evil`, `https://…`, `/\\evil`)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or "\n" in value:
        return "/"
    return value


def form_body(action: str, form: dict[str, Any], documents: list[str], tz: ZoneInfo) -> dict[str, Any]:
    """The action's JSON body from the case page's form fields."""
    def text(name: str) -> str | None:
        value = form.get(name)
        return value.strip() if isinstance(value, str) and value.strip() else None

    reason = {"reason": form.get("reason", "")}
    if action in ("approve", "withdraw", "reopen"):
        return reason
    if action == "reject":
        return {**reason, "code": text("code"), "message_zh": text("message_zh"), "message_en": text("message_en")}
    if action == "accept":
        code, _, document_type = (form.get("finding") or "").partition("|")
        return {**reason, "code": code, "document_type": document_type or None}
    if action == "request":
        return {**reason, "documents": [
            {"document_type": t, "message_zh": text(f"message_zh.{t}"), "message_en": text(f"message_en.{t}")}
            for t in documents]}
    if action == "assign":
        return {"assignee": form.get("assignee", "")}
    if action in ("claim", "unassign"):
        return {}
    if action == "note":
        return {"text": form.get("text", "")}
    if action == "edit":
        return {**reason, "fields": {form.get("field", ""): form.get("value", "")}}
    if action == "extend":
        raw = text("due_at")
        try:
            due = datetime.fromisoformat(raw).replace(tzinfo=tz) if raw else None
        except ValueError:
            due = raw
        return {**reason, "due_at": due}
    if action == "contact":
        return {**reason, "phone": text("phone"), "email": text("email")}
    if action == "rerun":
        return {**reason, "from_step": form.get("from_step") or "check"}
    if action == "reveal":
        return {**reason, "field": form.get("field", "")}
    if action == "not-duplicate":
        return {**reason, "others": [o for o in form.get("others_list", []) if o] or None}
    if action == "ship":
        return {"serial_number": text("serial_number")}
    if action in FORM_READERS:
        return FORM_READERS[action](form)
    return dict(form)


def validation_message(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "form"
    return f"{where}: {first['msg']}"


def build_pages(office: BackOffice) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    services, auth = office.services, office.auth
    env = office.env
    tz = ZoneInfo(services.settings.timezone)

    def render(request: Request, template: str, staff: StaffSession | None, status: int = 200, **context) -> HTMLResponse:
        body = env.get_template(template).render(staff=staff, csrf_field=CSRF_FIELD, path=request.url.path,
                                                 can=lambda p: bool(staff) and staff.role.may(Permission(p)),
                                                 **context)
        return HTMLResponse(body, status_code=status)

    # ---- login ------------------------------------------------------------------------------

    @router.get("/login")
    def login_page(request: Request, next: str | None = None) -> Response:
        return render(request, "login.html", None, next=safe_next(next), error=None, username="")

    @router.post("/login")
    async def login(request: Request) -> Response:
        form = await request.form()
        username, password = str(form.get("username", "")), str(form.get("password", ""))
        target = safe_next(str(form.get("next", "/")))
        try:
            new = await run_in_threadpool(staff_service.log_in, services, username, password, client_address(request))
        except staff_service.LoginRefused as refused:
            return render(request, "login.html", None, status=429 if refused.throttled else 401,
                          next=target, error=str(refused), username=username[:64])
        response = RedirectResponse(target, status_code=303)
        set_session_cookie(response, request, new.token)
        return response

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        form = await request.form()
        staff = await run_in_threadpool(auth.page_staff, request)
        check_csrf(staff, str(form.get(CSRF_FIELD, "")))
        await run_in_threadpool(staff_service.log_out, services, request.cookies.get(COOKIE, ""), staff.actor)
        response = RedirectResponse("/login", status_code=303)
        clear_session_cookie(response, request)
        return response

    # ---- queue ------------------------------------------------------------------------------

    @router.get("/")
    def queue_page(request: Request) -> Response:
        staff = auth.page_staff(request)
        params = {k: request.query_params.get(k) for k in QUEUE_PARAMS}
        error = None
        try:
            chosen = queue.parse_filter(state=params["state"], merchant_type=params["type"], sla=params["sla"],
                                        assignee=params["assignee"], duplicates=params["duplicates"], q=params["q"],
                                        sort=params["sort"], direction=params["dir"],
                                        page=request.query_params.get("page"), default_state="open")
        except queue.QueueRefused as refused:
            error, chosen = str(refused), queue.parse_filter(default_state="open")
        result = queue.queue_page(services, chosen, staff.username)
        kept = {k: v for k, v in params.items() if v}

        def link(**changes) -> str:
            merged = {**kept, **{k: v for k, v in changes.items() if v is not None}}
            return "/?" + urlencode({k: v for k, v in merged.items() if v not in (None, "")})

        def sort_link(column: str) -> str:
            same = chosen.sort == column
            return link(sort=column, dir=("asc" if chosen.descending else "desc") if same else "desc", page="1")

        return render(request, "queue.html", staff, status=400 if error else 200, result=result, chosen=chosen,
                      params=kept, error=error, link=link, sort_link=sort_link,
                      export_url="/export.csv?" + urlencode(kept), states=[s.value for s in ApplicationState],
                      merchant_types=[m.value for m in MerchantType], sla_colours=SLA_COLOURS)

    @router.get("/export.csv")
    def export(request: Request) -> Response:
        staff = auth.page_staff(request)
        p = request.query_params
        chosen = queue.parse_filter(state=p.get("state"), merchant_type=p.get("type"), sla=p.get("sla"),
                                    assignee=p.get("assignee"), duplicates=p.get("duplicates"), q=p.get("q"),
                                    sort=p.get("sort"), direction=p.get("dir"), default_state="open")
        return office.csv_response(staff, chosen)

    # ---- case -------------------------------------------------------------------------------

    def case_response(request: Request, staff: StaffSession, application_id: str, *, status: int = 200,
                      error: str | None = None, done: str | None = None,
                      revealed: dict[str, Any] | None = None) -> HTMLResponse:
        case = case_view.case_view(services, application_id, image_url="/documents/{id}/image")
        accounts = [a.username for a in staff_service.list_staff(services) if a.active]
        return render(request, "case.html", staff, status=status, error=error, done=done, revealed=revealed or {},
                      accounts=accounts, **page_context(services, case, staff))

    @router.get("/applications/{application_id}")
    def case_page(request: Request, application_id: str) -> Response:
        staff = auth.page_staff(request)
        done = request.query_params.get("done")
        label = ACTIONS[done].label if done in ACTIONS else None
        return case_response(request, staff, application_id, done=f"{label}: done" if label else None)

    @router.post("/applications/{application_id}/{action_name}")
    async def case_action(request: Request, application_id: str, action_name: str) -> Response:
        action = ACTIONS.get(action_name)
        if action is None:
            raise ApiError(404, f"no action {action_name}")
        staff = await run_in_threadpool(auth.page_staff, request, action.permission)
        form = await request.form()
        check_csrf(staff, str(form.get(CSRF_FIELD, "")))
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        fields["others_list"] = [str(v) for v in form.getlist("others")]
        body_data = form_body(action_name, fields, [str(v) for v in form.getlist("document")], tz)

        def attempt():
            try:
                body = action.body.model_validate(body_data)
            except ValidationError as invalid:
                return 422, validation_message(invalid), None
            try:
                return 200, None, office.perform(action, application_id, body, staff)
            except Exception as error:
                problem = problem_for(error)
                if problem is None or problem[0] == 404:
                    raise
                return problem[0], problem[1], None

        status, error, outcome = await run_in_threadpool(attempt)
        if error is not None:
            return await run_in_threadpool(lambda: case_response(request, staff, application_id, status=status,
                                                                 error=error))
        if action_name == "reveal":
            revealed = {body_data["field"]: outcome.value}
            return await run_in_threadpool(lambda: case_response(request, staff, application_id, done=outcome.message,
                                                                 revealed=revealed))
        return RedirectResponse(f"/applications/{application_id}?done={action_name}", status_code=303)

    @router.get("/documents/{document_id}/image")
    def document_image(request: Request, document_id: str) -> Response:
        staff = auth.page_staff(request)
        return office.image_response(staff, document_id)

    # ---- terminals, deposits, report ----------------------------------------------------------

    @router.get("/terminals")
    def terminals(request: Request, state: str | None = None, model: str | None = None, page: int = 1) -> Response:
        staff = auth.page_staff(request)
        result = ledger_pages.terminals_page(services, state or None, model or None, max(page, 1))
        return render(request, "terminals.html", staff, result=result, state=state or "", model=model or "",
                      message=None, error=None)

    @router.post("/terminals")
    async def add_terminal(request: Request) -> Response:
        staff = await run_in_threadpool(auth.page_staff, request, Permission.OPERATE)
        form = await request.form()
        check_csrf(staff, str(form.get(CSRF_FIELD, "")))
        serial, model = str(form.get("serial_number", "")), str(form.get("model", ""))

        def attempt():
            try:
                added = ledger_pages.add_terminal_by_staff(services, serial, model, actor=staff.actor)
                return 200, f"{serial.strip()} {'added to stock' if added else 'was in stock already'}", None
            except Exception as error:
                problem = problem_for(error)
                if problem is None:
                    raise
                return problem[0], None, problem[1]

        status, message, error = await run_in_threadpool(attempt)
        result = await run_in_threadpool(ledger_pages.terminals_page, services)
        return render(request, "terminals.html", staff, status=status, result=result, state="", model="",
                      message=message, error=error)

    @router.get("/terminals/{serial_number}")
    def terminal(request: Request, serial_number: str) -> Response:
        staff = auth.page_staff(request)
        return render(request, "terminal.html", staff, terminal=ledger_pages.terminal_detail(services, serial_number))

    @router.get("/deposits")
    def deposits(request: Request, state: str | None = None, page: int = 1) -> Response:
        staff = auth.page_staff(request)
        result = ledger_pages.deposits_page(services, state or None, max(page, 1))
        return render(request, "deposits.html", staff, result=result, state=state or "", preview=None)

    @router.post("/sweep/dry-run")
    async def sweep_dry_run(request: Request) -> Response:
        staff = await run_in_threadpool(auth.page_staff, request, Permission.OPERATE)
        form = await request.form()
        check_csrf(staff, str(form.get(CSRF_FIELD, "")))
        preview = await run_in_threadpool(office.sweep_preview, staff)
        result = await run_in_threadpool(ledger_pages.deposits_page, services)
        return render(request, "deposits.html", staff, result=result, state="", preview=preview)

    @router.get("/report")
    def report_redirect(request: Request) -> Response:
        auth.page_staff(request)
        return RedirectResponse("/report/", status_code=303)

    @router.get("/report/")
    def report_page(request: Request) -> Response:
        auth.page_staff(request)
        return HTMLResponse(office.report.page(), headers={"Content-Security-Policy": REPORT_CSP})

    @router.get("/report/{name}")
    def report_chart(request: Request, name: str) -> Response:
        auth.page_staff(request)
        data = office.report.chart(name)
        if data is None:
            raise ApiError(404, f"no chart {name}")
        return Response(data, media_type="image/svg+xml" if name.endswith(".svg") else "image/png")

    # ---- staff (admin) ------------------------------------------------------------------------

    def staff_response(request: Request, staff: StaffSession, status: int = 200, message: str | None = None,
                       error: str | None = None, generated: tuple[str, str] | None = None) -> HTMLResponse:
        return render(request, "staff.html", staff, status=status, accounts=staff_service.list_staff(services),
                      events=staff_service.staff_events(services, 50), roles=[r.value for r in Role],
                      message=message, error=error, generated=generated)

    @router.get("/staff")
    def staff_page(request: Request) -> Response:
        staff = auth.page_staff(request, Permission.MANAGE_STAFF)
        return staff_response(request, staff)

    @router.post("/staff/{operation}")
    async def staff_change(request: Request, operation: str) -> Response:
        staff = await run_in_threadpool(auth.page_staff, request, Permission.MANAGE_STAFF)
        form = await request.form()
        check_csrf(staff, str(form.get(CSRF_FIELD, "")))
        username = str(form.get("username", "")).strip()

        def attempt():
            try:
                if operation == "add":
                    password = str(form.get("password", "")) or None
                    account, generated = staff_service.add_staff(services, username, str(form.get("role", "")),
                                                                 password, actor=staff.actor)
                    return 200, f"{account.username} added as {account.role}", None, \
                        (account.username, generated) if generated else None
                if operation == "disable":
                    ended = staff_service.disable_staff(services, username, actor=staff.actor)
                    return 200, f"{username} disabled; {ended} session(s) ended", None, None
                if operation == "password":
                    ended = staff_service.set_password(services, username, str(form.get("password", "")),
                                                       actor=staff.actor)
                    return 200, f"new password set for {username}; {ended} session(s) ended", None, None
                return 404, None, f"no operation {operation}", None
            except Exception as error:
                problem = problem_for(error)
                if problem is None:
                    raise
                return problem[0], None, problem[1], None

        status, message, error, generated = await run_in_threadpool(attempt)
        return await run_in_threadpool(lambda: staff_response(request, staff, status, message, error, generated))

    return router
