"""Life after approval in the back office: the work list (calls due, complaints with clocks, changes open), the
case page's section, and its actions through the JSON API and the forms, each scoped to its own application."""
from __future__ import annotations

import re

from onboarding.domain.states import ApplicationState as S
from tests.integration.backoffice.conftest import build_case, events_of

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def call_of(services, application_id: str) -> str:
    with services.uow() as uow:
        return uow.calls.for_one_application(application_id).id


def test_the_work_list_shows_calls_due_complaints_with_clocks_and_open_changes(login, services, clock):
    case = build_case(services, state=S.APPROVED)
    reviewer = login("rita")
    opened = reviewer.post(f"/api/applications/{case.application_id}/complaint-open",
                           json={"category": "activation", "text": "终端开不了机"})
    assert opened.status_code == 200, opened.text
    clock.advance(minutes=40)
    reviewer = login("rita")  # the first session went idle meanwhile
    work = reviewer.get("/api/aftercare").json()
    (call,) = work["calls"]
    assert call["application_id"] == case.application_id and call["blocks_shipping"] is True
    (complaint,) = work["complaints"]
    assert [(c["stage"], c["status"]) for c in complaint["clocks"]] == [
        ("acknowledge", "breached"), ("first_answer", "pending"), ("resolve", "pending")]
    assert work["changes"] == []
    page = reviewer.get("/aftercare")
    assert page.status_code == 200
    assert f'data-call="{call["call_id"]}"' in page.text and 'data-status="breached"' in page.text


def test_staff_record_the_call_then_ship_and_work_a_complaint_through_its_stages(login, services, launches):
    case = build_case(services, state=S.APPROVED)
    reviewer, ops = login("rita"), login("otto")
    app = case.application_id
    from onboarding.service.terminals import add_terminal

    add_terminal(services, "SN-BO-1", "P2")
    held = ops.post(f"/api/applications/{app}/ship", json={})
    assert held.status_code == 409 and "waits for follow-up call" in held.json()["error"]
    call_id = call_of(services, app)
    bad = reviewer.post(f"/api/applications/{app}/call-record", json={"call_id": call_id, "outcome": "maybe",
                                                                      "note": "?"})
    assert bad.status_code == 422
    done = reviewer.post(f"/api/applications/{app}/call-record",
                         json={"call_id": call_id, "outcome": "confirmed", "note": "all five confirmed"})
    assert done.status_code == 200, done.text
    assert events_of(services, app, "call_recorded")[0].actor == "staff:rita"
    assert ops.post(f"/api/applications/{app}/ship", json={}).status_code == 200

    complaint = reviewer.post(f"/api/applications/{app}/complaint-open",
                              json={"category": "deposit", "text": "押金进度不对"})
    complaint_id = next(c["complaint_id"] for c in reviewer.get("/api/aftercare").json()["complaints"])
    for action, body in (("complaint-acknowledge", {}), ("complaint-answer", {"text": "正在核对"}),
                         ("complaint-resolve", {"text": "已核对：扫码不计入"})):
        answer = reviewer.post(f"/api/applications/{app}/{action}", json={"complaint_id": complaint_id, **body})
        assert answer.status_code == 200, (action, answer.text)
    (resolved,) = [c for c in reviewer.get("/api/aftercare").json()["complaints"] if c["complaint_id"] == complaint_id]
    assert resolved["state"] == "resolved" and {c["status"] for c in resolved["clocks"]} == {"met"}
    assert complaint.status_code == 200
    other = build_case(services, state=S.APPROVED, seed=2, phone="13900000002", id_number="11010519491231002X")
    foreign = reviewer.post(f"/api/applications/{other.application_id}/complaint-close",
                            json={"complaint_id": complaint_id, "text": "not yours"})
    assert foreign.status_code == 404  # another application's complaint is not found from this case
    assert events_of(services, app, "complaint_closed") == []


def test_a_settlement_change_is_approved_from_the_case_page(base_url, services, accounts):
    import httpx

    from onboarding.domain.model import Document
    from onboarding.service import changes
    from onboarding.service.change_input import parse_change
    from onboarding.service.submission import UploadedFile
    from tests.integration.backoffice.conftest import PASSWORD, photo_bytes

    case = build_case(services, state=S.APPROVED, legal_name="王昌良")
    app = case.application_id
    number = "6222021234567899996"
    change_id = changes.request_change(
        services, app, parse_change({"settlement_account": {"holder_name": "王昌良", "number": number,
                                                            "bank_name": "中国银行"}}),
        [UploadedFile("bank_card", photo_bytes(77, (1200, 760)), "card.jpg")], actor="merchant:link")
    with services.uow() as uow:  # what OCR reads from the new card (the reading itself is tested elsewhere)
        application = uow.applications.get(app, for_update=True)
        proposed: Document = next(d for d in application.documents if d.proposed_for == change_id)
        proposed.fields = {"card_number": {"value": number, "confidence": 0.97}}
        uow.commit()
    assert changes.decide_change(services, change_id) == "awaiting_approval"

    with httpx.Client(base_url=base_url, timeout=30, follow_redirects=False) as browser:
        browser.post("/login", data={"username": "rita", "password": PASSWORD, "next": "/"})
        page = browser.get(f"/applications/{app}").text
        assert 'id="aftercare"' in page and f'data-change="{change_id}"' in page and "proposed image" in page
        token = CSRF.search(page).group(1)
        refused = browser.post(f"/applications/{app}/change-approve",
                               data={"csrf_token": token, "change_id": change_id})
        assert refused.status_code == 422  # no reason given
        answer = browser.post(f"/applications/{app}/change-approve",
                              data={"csrf_token": token, "change_id": change_id, "reason": "card matches"})
        assert answer.status_code == 303
    with services.uow() as uow:
        assert uow.applications.get(app).settlement_number == number
    assert events_of(services, app, "details_changed")[0].actor == "staff:rita"


def test_only_staff_with_a_session_and_the_csrf_token_act(anonymous, login, services):
    case = build_case(services, state=S.APPROVED)
    assert anonymous.get("/api/aftercare").status_code == 401
    reviewer = login("rita")
    del reviewer.headers["X-CSRF-Token"]
    answer = reviewer.post(f"/api/applications/{case.application_id}/call-record",
                           json={"call_id": call_of(services, case.application_id), "outcome": "confirmed",
                                 "note": "ok"})
    assert answer.status_code == 403


def test_a_call_changed_on_the_phone_opens_a_change_request(login, services):
    case = build_case(services, state=S.APPROVED)
    reviewer = login("rita")
    answer = reviewer.post(f"/api/applications/{case.application_id}/call-record",
                           json={"call_id": call_of(services, case.application_id), "outcome": "changed",
                                 "note": "moved shop", "business_address": "广东省江门市台山市台城镇新宁路8号"})
    assert answer.status_code == 200, answer.text
    (change,) = reviewer.get("/api/aftercare").json()["changes"]
    assert change["fields"] == ["business_address"] and change["waiting_for"]["documents"] == ["address_proof"]
    assert change["created_by"].startswith("staff:rita (call CALL-")
