"""Who may call what: 401 without a session, 403 for a wrong role or a missing CSRF token, sessions that end."""
from __future__ import annotations

import pytest

from tests.integration.backoffice.conftest import build_case, state_of


def test_every_route_wants_a_session(anonymous, services):
    case = build_case(services)
    reads = ["/api/me", "/api/applications", "/api/applications.csv", f"/api/applications/{case.application_id}",
             f"/api/documents/{case.documents['id_card_front']}/image", "/api/terminals", "/api/deposits",
             "/api/report", "/api/staff"]
    for path in reads:
        answer = anonymous.get(path)
        assert answer.status_code == 401, path
        assert "not logged in" in answer.json()["error"]
    answer = anonymous.post(f"/api/applications/{case.application_id}/approve", json={"reason": "fine"})
    assert answer.status_code == 401
    assert anonymous.get(f"/applications/{case.application_id}").status_code in (303, 307)


def test_a_change_without_the_csrf_token_is_refused_and_changes_nothing(login, services):
    case = build_case(services)
    client = login("rita")
    token = client.headers.pop("X-CSRF-Token")
    answer = client.post(f"/api/applications/{case.application_id}/approve", json={"reason": "fine"})
    assert answer.status_code == 403 and "CSRF" in answer.json()["error"]
    answer = client.post(f"/api/applications/{case.application_id}/approve", json={"reason": "fine"},
                         headers={"X-CSRF-Token": token[:-1] + ("A" if token[-1] != "A" else "B")})
    assert answer.status_code == 403
    assert state_of(services, case.application_id) == "needs_documents"


@pytest.mark.parametrize("username, allowed", [("rita", False), ("otto", True), ("ada", True)])
def test_reruns_and_terminals_are_for_ops(login, services, launches, username, allowed):
    case = build_case(services, state="manual_review")
    client = login(username)
    rerun = client.post(f"/api/applications/{case.application_id}/rerun", json={"reason": "rules fixed"})
    terminal = client.post("/api/terminals", json={"serial_number": f"P2-{username}-0001", "model": "P2"})
    if allowed:
        assert rerun.status_code == 200 and terminal.status_code == 200, (rerun.text, terminal.text)
        assert launches.calls == [(case.application_id, "check")]
    else:
        assert rerun.status_code == 403 and terminal.status_code == 403
        assert "reviewer" in rerun.json()["error"]
        assert launches.calls == []


def test_staff_management_is_for_admins(login):
    assert login("otto").get("/api/staff").status_code == 403
    admin = login("ada")
    added = admin.post("/api/staff", json={"username": "nina", "role": "reviewer"})
    assert added.status_code == 200
    generated = added.json()["generated_password"]
    assert generated and len(generated) >= 20
    assert login("nina", generated).get("/api/me").json()["role"] == "reviewer"
    assert admin.post("/api/staff", json={"username": "nina", "role": "reviewer"}).status_code == 400


def test_a_session_ends_after_the_idle_time(login, clock, services):
    client = login("rita")
    clock.advance(minutes=29)
    assert client.get("/api/me").status_code == 200  # a request keeps it alive
    clock.advance(minutes=29)
    assert client.get("/api/me").status_code == 200
    clock.advance(minutes=services.settings.backoffice_idle_minutes, seconds=1)
    answer = client.get("/api/me")
    assert answer.status_code == 401
    clock.advance(minutes=-40)  # going back does not revive an ended session
    assert client.get("/api/me").status_code == 401


def test_disabling_an_account_or_changing_its_password_ends_its_sessions(login):
    admin, rita, rex = login("ada"), login("rita"), login("rex")
    assert admin.post("/api/staff/rita/disable").json()["sessions_ended"] == 1
    assert rita.get("/api/me").status_code == 401
    assert admin.post("/api/staff/rex/password", json={"password": "a brand new password"}).status_code == 200
    assert rex.get("/api/me").status_code == 401
    assert login("rex", "a brand new password").get("/api/me").status_code == 200


def test_logins_are_throttled_per_account_and_per_address(anonymous, services):
    limit = services.settings.backoffice_login_failures_per_account
    for _ in range(limit):
        assert anonymous.post("/api/login", json={"username": "rita", "password": "wrong"}).status_code == 401
    locked = anonymous.post("/api/login", json={"username": "rita", "password": "correct horse battery staple"})
    assert locked.status_code == 429 and "too many" in locked.json()["error"]
    # Another account from the same address still works until the address limit is reached.
    assert anonymous.post("/api/login", json={"username": "rex", "password": "correct horse battery staple"}
                          ).status_code == 200
    for n in range(services.settings.backoffice_login_failures_per_address):
        anonymous.post("/api/login", json={"username": f"nobody{n}", "password": "x"})
    refused = anonymous.post("/api/login", json={"username": "ada", "password": "correct horse battery staple"})
    assert refused.status_code == 429 and "address" in refused.json()["error"]


def test_the_cookie_is_httponly_strict_and_secure_behind_https(anonymous):
    plain = anonymous.post("/api/login", json={"username": "rita", "password": "correct horse battery staple"})
    cookie = plain.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
    behind_proxy = anonymous.post("/api/login", json={"username": "rita", "password": "correct horse battery staple"},
                                  headers={"X-Forwarded-Proto": "https"})
    assert "secure" in behind_proxy.headers["set-cookie"].lower()


def test_every_answer_carries_the_security_headers(anonymous):
    answer = anonymous.get("/login")
    assert answer.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["cache-control"] == "no-store"


def test_login_events_name_the_staff_member(login, services):
    login("rita")
    from onboarding.service.staff import staff_events

    assert any(e["actor"] == "staff:rita" and e["action"] == "logged_in" for e in staff_events(services))
