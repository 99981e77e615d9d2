"""The case API: the show shape with images, and every action, each audited and refused where the state says no."""
from __future__ import annotations

import time
from datetime import timedelta

import httpx

from tests.integration.backoffice.conftest import build_case, events_of, outbox_of, state_of


def test_a_case_is_the_show_shape_masked_with_an_image_for_every_document(login, services):
    case = build_case(services)
    client = login("rita")
    view = client.get(f"/api/applications/{case.application_id}").json()
    assert view["application_id"] == case.application_id and view["state"] == "needs_documents"
    assert view["id_number"] == "4407**********2481" and view["legal_name"] == "王*亮"
    assert view["settlement_account"]["number"].count("*") == 11 and view["phone"] == "1380***8000"
    front = next(d for d in view["documents"] if d["document_type"] == "id_card_front")
    assert front["id"] == case.documents["id_card_front"]
    assert front["image_url"] == f"/api/documents/{front['id']}/image"
    assert front["fields"]["name"]["value"] == "王*良" and front["ocr_engine"] == "rapidocr 1.4.4"
    (finding,) = view["deficiencies"]
    assert finding["code"] == "name_mismatch" and finding["evidence"] == {"document": "王*良", "application": "王*亮"}
    assert view["request"]["round"] == 1 and [m["channel"] for m in view["messages"]] == ["sms", "email"]
    assert "/r/" not in " ".join(m["text"] for m in view["messages"] if m["status"] == "sent")
    assert view["links"][0]["state"] == "live" and view["decision"]["rules_version"] == services.ruleset.version_label
    for key in ("terminal", "deposit", "history", "requests", "warnings", "notes", "possible_duplicates"):
        assert key in view
    assert "13800138000" not in client.get(f"/api/applications/{case.application_id}").text


def test_an_image_is_served_to_staff_only_and_every_view_is_audited(login, anonymous, services):
    case = build_case(services)
    client = login("rita")
    url = f"/api/documents/{case.documents['bank_card']}/image"
    answer = client.get(url)
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/jpeg"
    assert answer.content[:3] == b"\xff\xd8\xff" and answer.headers["cache-control"] == "private, no-store"
    client.get(url)
    viewed = events_of(services, case.application_id, "document_viewed")
    assert [(e.actor, e.details["document_type"]) for e in viewed] == [("staff:rita", "bank_card")] * 2
    assert anonymous.get(url).status_code == 401
    assert client.get("/api/documents/DOC-NOTHERE00/image").status_code == 404


def test_approve_from_needs_documents_closes_the_round_and_tells_the_merchant(login, services):
    case = build_case(services)
    client = login("rita")
    answer = client.post(f"/api/applications/{case.application_id}/approve", json={"reason": "typo in the name"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["application"]["state"] == "approved" and body["application"]["requests"][0]["status"] == "satisfied"
    assert any(m["idempotency_key"].endswith(":approved:sms") for m in outbox_of(services, case.application_id))
    (event,) = [e for e in events_of(services, case.application_id, "transition") if e.to_state == "approved"]
    assert event.actor == "staff:rita" and event.reason == "typo in the name"
    again = client.post(f"/api/applications/{case.application_id}/approve", json={"reason": "again"})
    assert again.status_code == 409 and "approved" in again.json()["error"]


def test_a_request_for_several_documents_is_one_round_one_message_and_keeps_the_reason_internal(login, services):
    case = build_case(services, state="manual_review")
    client = login("rita")
    answer = client.post(f"/api/applications/{case.application_id}/request", json={
        "reason": "holder name on the card looks edited",
        "documents": [{"document_type": "bank_card", "message_zh": "请拍摄银行卡正面，卡号清晰可见。",
                       "message_en": "Please photograph the front of the card, number readable."},
                      "storefront_photo"]})
    assert answer.status_code == 200, answer.text
    view = answer.json()["application"]
    assert view["state"] == "needs_documents"
    items = view["request"]["items"]
    assert [(i["document_type"], i["message_zh"]) for i in items] == [
        ("bank_card", "请拍摄银行卡正面，卡号清晰可见。"), ("storefront_photo", "请重新上传门头照。")]
    requests_sent = [m for m in outbox_of(services, case.application_id) if ":request-1:" in m["idempotency_key"]]
    assert sorted(m["channel"] for m in requests_sent) == ["email", "sms"]  # one message per channel
    for message in requests_sent:
        assert "edited" not in message["body"]
    assert "请拍摄银行卡正面" in next(m["body"] for m in requests_sent if m["channel"] == "email")
    deadline = time.monotonic() + 30  # sent right after the action, off the request thread
    while not all(m["sent_at"] for m in outbox_of(services, case.application_id)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(m["sent_at"] for m in outbox_of(services, case.application_id))
    staff_notes = [d["staff_note"] for d in view["deficiencies"]]
    assert all("holder name on the card looks edited" in n for n in staff_notes if n.startswith("Requested"))
    bad = client.post(f"/api/applications/{case.application_id}/request",
                      json={"reason": "x", "documents": ["passport"]})
    assert bad.status_code == 409 and "unknown document type" in bad.json()["error"]


def test_reject_sends_the_merchant_message_not_the_internal_reason(login, services):
    case = build_case(services)
    client = login("rita")
    answer = client.post(f"/api/applications/{case.application_id}/reject", json={
        "reason": "ID photo is a screenshot of another merchant's file", "code": "document_forged",
        "message_zh": "您提交的证件无法通过核验。", "message_en": "Your documents could not be verified."})
    assert answer.status_code == 200, answer.text
    assert answer.json()["application"]["deficiencies"][0]["code"] == "document_forged"
    (sms,) = [m for m in outbox_of(services, case.application_id) if m["idempotency_key"].endswith(":rejected:sms")]
    assert "您提交的证件无法通过核验" in sms["body"] and "screenshot" not in sms["body"]


def test_accepting_a_finding_starts_the_checks_from_the_rules(login, services, launches):
    case = build_case(services)
    client = login("rita")
    answer = client.post(f"/api/applications/{case.application_id}/accept",
                         json={"reason": "亮/良 misread", "code": "name_mismatch", "document_type": "id_card_front"})
    assert answer.status_code == 200 and answer.json()["checks_started"] is True
    assert launches.calls == [(case.application_id, "check")]
    unknown = client.post(f"/api/applications/{case.application_id}/accept",
                          json={"reason": "x", "code": "document_expired", "document_type": "id_card_back"})
    assert unknown.status_code == 409 and "no open finding" in unknown.json()["error"]


def test_assignment_claim_and_the_mine_filter(login, services):
    first, second = build_case(services, seed=1), build_case(services, seed=2, phone="13900139000")
    rita = login("rita")
    assert rita.post(f"/api/applications/{first.application_id}/claim", json={}).status_code == 200
    assert rita.post(f"/api/applications/{second.application_id}/assign", json={"assignee": "rex"}).status_code == 200
    mine = rita.get("/api/applications", params={"assignee": "me"}).json()
    assert [r["application_id"] for r in mine["applications"]] == [first.application_id]
    assert mine["applications"][0]["assignee"] == "rita"
    assert rita.post(f"/api/applications/{second.application_id}/assign",
                     json={"assignee": "ghost"}).json()["error"] == "no active staff account 'ghost'"
    assert rita.post(f"/api/applications/{second.application_id}/unassign", json={}).status_code == 200
    unassigned = rita.get("/api/applications", params={"assignee": "none"}).json()["applications"]
    assert [r["application_id"] for r in unassigned] == [second.application_id]
    assert [e.actor for e in events_of(services, first.application_id, "assigned")] == ["staff:rita"]


def test_notes_are_kept_encrypted_and_shown_to_staff(login, services):
    case = build_case(services)
    client = login("rita")
    assert client.post(f"/api/applications/{case.application_id}/note",
                       json={"text": "Merchant called: new card on its way"}).status_code == 200
    view = client.get(f"/api/applications/{case.application_id}").json()
    assert view["notes"] == [{"at": view["notes"][0]["at"], "author": "staff:rita",
                              "text": "Merchant called: new card on its way"}]
    with services.uow() as uow:
        raw = uow.session.execute(__import__("sqlalchemy").text("SELECT text FROM case_notes")).scalar_one()
    assert "Merchant" not in raw
    assert client.post(f"/api/applications/{case.application_id}/note", json={"text": "   "}).status_code == 422


def test_editing_a_field_keeps_the_old_value_in_history_and_runs_the_checks(login, services, launches):
    case = build_case(services)
    client = login("rita")
    answer = client.post(f"/api/applications/{case.application_id}/edit",
                         json={"reason": "merchant confirmed by phone", "fields": {"legal_name": "王昌良"}})
    assert answer.status_code == 200, answer.text
    view = answer.json()["application"]
    assert view["legal_name"] == "王*良"
    assert view["field_changes"][0]["old"] == "王*亮" and view["field_changes"][0]["new"] == "王*良"
    assert launches.calls == [(case.application_id, "check")]
    with services.uow() as uow:
        assert uow.cases.field_changes(case.application_id)[0]["old_value"] == "王昌亮"
    refused = client.post(f"/api/applications/{case.application_id}/edit",
                          json={"reason": "x", "fields": {"id_number": "440781197506032480"}})
    assert refused.status_code == 409 and "id_number" in refused.json()["error"]
    assert client.post(f"/api/applications/{case.application_id}/edit",
                       json={"reason": "x", "fields": {"phone": "13900000000"}}).json()["error"].startswith("cannot edit")


def test_withdraw_stops_the_links_and_cannot_be_done_twice(login, services):
    case = build_case(services)
    client = login("rita")
    assert client.post(f"/api/applications/{case.application_id}/withdraw",
                       json={"reason": "merchant called to cancel"}).status_code == 200
    view = client.get(f"/api/applications/{case.application_id}").json()
    assert view["state"] == "withdrawn" and {link["state"] for link in view["links"]} == {"revoked"}
    assert client.post(f"/api/applications/{case.application_id}/withdraw",
                       json={"reason": "again"}).status_code == 409


def test_an_expired_application_is_reopened_with_a_new_round_and_link(login, services, clock):
    from onboarding.service.request_sweep import sweep_requests

    case = build_case(services)
    clock.advance(days=11)
    sweep_requests(services, clock())
    assert state_of(services, case.application_id) == "expired"
    client = login("rita")
    answer = client.post(f"/api/applications/{case.application_id}/reopen", json={"reason": "merchant was ill"})
    assert answer.status_code == 200, answer.text
    view = answer.json()["application"]
    assert view["state"] == "needs_documents" and view["request"]["round"] == 2
    assert view["request"]["items"][0]["code"] == "name_mismatch"
    assert [link["state"] for link in view["links"]][-1] == "live"
    assert client.post(f"/api/applications/{case.application_id}/reopen", json={"reason": "x"}).status_code == 409


def test_extending_the_due_time_moves_the_round_and_its_links(login, services, clock):
    case = build_case(services)
    client = login("rita")
    due = client.get(f"/api/applications/{case.application_id}").json()["request"]["due_at"]
    later = (clock() + timedelta(days=20)).isoformat()
    answer = client.post(f"/api/applications/{case.application_id}/extend", json={"reason": "holiday", "due_at": later})
    assert answer.status_code == 200, answer.text
    view = answer.json()["application"]
    assert view["request"]["due_at"] > due and view["links"][-1]["expires_at"] == view["request"]["due_at"]
    earlier = client.post(f"/api/applications/{case.application_id}/extend",
                          json={"reason": "x", "due_at": clock().isoformat()})
    assert earlier.status_code == 409
    naive = client.post(f"/api/applications/{case.application_id}/extend",
                        json={"reason": "x", "due_at": "2026-12-30T10:00:00"})
    assert naive.status_code == 422 and "offset" in naive.json()["error"]


def test_changing_the_phone_stops_the_old_link_and_sends_a_new_one(login, services):
    from onboarding.portal.app import create_app
    from onboarding.portal.server import serve_in_background

    case = build_case(services)
    with services.uow() as uow:
        old_token = services.sealer.open(uow.applications.get(case.application_id).links[-1].sealed_token)
    client = login("rita")
    answer = client.post(f"/api/applications/{case.application_id}/contact",
                         json={"reason": "merchant lost the phone", "phone": "13912345678"})
    assert answer.status_code == 200, answer.text
    with services.uow() as uow:
        application = uow.applications.get(case.application_id)
        new_token = services.sealer.open(application.links[-1].sealed_token)
        assert application.phone == "13912345678"
    resent = [m for m in outbox_of(services, case.application_id) if "resend" in m["idempotency_key"]]
    assert [m["recipient"] for m in resent if m["channel"] == "sms"] == ["13912345678"]
    with serve_in_background(create_app(services, launch=lambda _: None)) as portal:
        with httpx.Client(base_url=portal) as merchant:
            assert merchant.get(f"/r/{old_token}").status_code == 404
            assert merchant.get(f"/r/{new_token}").status_code == 200


def test_revealing_a_field_returns_it_once_and_records_who_and_why(login, services):
    case = build_case(services)
    client = login("rita")
    answer = client.post(f"/api/applications/{case.application_id}/reveal",
                         json={"reason": "merchant on the phone, confirming", "field": "id_number"})
    assert answer.status_code == 200 and answer.json()["value"] == "440781197506032481"
    read = client.post(f"/api/applications/{case.application_id}/reveal",
                       json={"reason": "compare", "field": f"{case.documents['id_card_front']}:name"})
    assert read.json()["value"] == "王昌良"
    revealed = events_of(services, case.application_id, "pii_revealed")
    assert [(e.actor, e.details["field"]) for e in revealed][0] == ("staff:rita", "id_number")
    assert client.post(f"/api/applications/{case.application_id}/reveal",
                       json={"reason": "x", "field": "business_address"}).status_code == 409
    assert client.post(f"/api/applications/{case.application_id}/reveal", json={"field": "id_number"}).status_code == 422


def test_bad_input_gets_a_message_never_a_500(login, services):
    case = build_case(services)
    client = login("rita")
    app_url = f"/api/applications/{case.application_id}"
    assert client.post(f"{app_url}/approve", content=b"{not json", headers={"content-type": "application/json"}
                       ).status_code == 422
    assert client.post(f"{app_url}/approve", json={"reason": "ok", "extra": 1}).status_code == 422
    assert client.post(f"{app_url}/frobnicate", json={}).status_code == 404
    assert client.post("/api/applications/APP-NOTHERE/approve", json={"reason": "x"}).status_code == 404
    assert client.get("/api/applications", params={"state": "nonsense"}).status_code == 400
    assert client.get("/api/applications", params={"page": "0"}).status_code == 400
    assert client.get("/api/terminals", params={"state": "lost"}).status_code == 400
