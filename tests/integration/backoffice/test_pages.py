"""The HTML side: login redirects, every page renders for its role, forms need the CSRF token, refusals show why."""
from __future__ import annotations

import re

import httpx
import pytest

from documents.types import DocumentType as D
from onboarding.domain.states import ApplicationState as S
from onboarding.service.checking import record_decision
from rules.messages import deficiency
from rules.model import Decision, Outcome
from tests.integration.backoffice.conftest import PASSWORD, build_case, events_of, state_of

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def browser_login(base_url):
    clients = []

    def log_in(username: str) -> tuple[httpx.Client, str]:
        client = httpx.Client(base_url=base_url, timeout=30, follow_redirects=False)
        clients.append(client)
        answer = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/"})
        assert answer.status_code == 303 and answer.headers["location"] == "/"
        token = CSRF.search(client.get("/").text).group(1)
        return client, token

    yield log_in
    for client in clients:
        client.close()


def test_pages_send_strangers_to_the_login_and_back(base_url, services):
    case = build_case(services)
    with httpx.Client(base_url=base_url, follow_redirects=False) as client:
        answer = client.get(f"/applications/{case.application_id}")
        assert answer.status_code == 303 and answer.headers["location"] == f"/login?next=%2Fapplications%2F{case.application_id}"
        wrong = client.post("/login", data={"username": "rita", "password": "nope", "next": "/x"})
        assert wrong.status_code == 401 and "wrong username or password" in wrong.text
        right = client.post("/login", data={"username": "rita", "password": PASSWORD,
                                            "next": f"/applications/{case.application_id}"})
        assert right.headers["location"] == f"/applications/{case.application_id}"
        evil = client.post("/login", data={"username": "rita", "password": PASSWORD, "next": "//evil.example/x"})
        assert evil.headers["location"] == "/"


def test_every_page_renders_for_its_role(browser_login, services):
    case = build_case(services)
    reviewer, _ = browser_login("rita")
    for path in ("/", "/?state=all&sort=merchant&dir=asc", f"/applications/{case.application_id}", "/terminals",
                 "/deposits", "/report/"):
        answer = reviewer.get(path)
        assert answer.status_code == 200, (path, answer.text[:500])
    assert reviewer.get("/staff").status_code == 403
    page = reviewer.get(f"/applications/{case.application_id}").text
    for section in ("documents", "findings", "duplicates", "requests", "ledger", "notes", "history"):
        assert f'id="{section}"' in page
    assert "王*亮" in page and "王昌亮" not in page and "name_mismatch" in page
    assert 'action="/applications/' + case.application_id + '/rerun"' not in page  # ops only
    admin, _ = browser_login("ada")
    assert admin.get("/staff").status_code == 200
    assert 'action="/applications/' + case.application_id + '/rerun"' in admin.get(f"/applications/{case.application_id}").text


def test_a_form_without_its_csrf_token_changes_nothing(browser_login, services):
    case = build_case(services)
    client, token = browser_login("rita")
    refused = client.post(f"/applications/{case.application_id}/approve", data={"reason": "fine"})
    assert refused.status_code == 403 and "CSRF" in refused.text
    assert state_of(services, case.application_id) == "needs_documents"
    done = client.post(f"/applications/{case.application_id}/approve", data={"reason": "fine", "csrf_token": token})
    assert done.status_code == 303 and done.headers["location"].endswith("?done=approve")
    assert state_of(services, case.application_id) == "approved"
    assert "Approve: done" in client.get(done.headers["location"]).text


def test_a_refused_form_shows_the_reason_on_the_case_page(browser_login, services):
    case = build_case(services, state="approved")
    client, token = browser_login("rita")
    answer = client.post(f"/applications/{case.application_id}/request",
                         data={"document": "bank_card", "reason": "x", "csrf_token": token})
    assert answer.status_code == 409 and "requesting documents needs one of" in answer.text
    empty = client.post(f"/applications/{case.application_id}/note", data={"text": "", "csrf_token": token})
    assert empty.status_code == 422 and "text" in empty.text


def test_reveal_from_the_page_shows_the_value_once_and_records_it(browser_login, services):
    case = build_case(services)
    client, token = browser_login("rita")
    answer = client.post(f"/applications/{case.application_id}/reveal",
                         data={"field": "id_number", "reason": "merchant on the phone", "csrf_token": token})
    assert answer.status_code == 200 and "440781197506032481" in answer.text
    assert "440781197506032481" not in client.get(f"/applications/{case.application_id}").text
    assert [e.actor for e in events_of(services, case.application_id, "pii_revealed")] == ["staff:rita"]


def test_logout_ends_the_session(browser_login):
    client, token = browser_login("rita")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/").status_code == 303


def test_a_case_with_a_note_for_staff_from_the_checks_renders_it(browser_login, services):
    """The checks' own warnings (not accepted by anyone) sit beside the findings; they once broke the page."""
    case = build_case(services, state=S.CHECKING)
    warning = deficiency(services.ruleset, "id_validity_period_inconsistent", D.ID_CARD_BACK, "valid_until",
                         {"valid_from": "2006-11-07", "valid_until": "2026-11-07"})
    record_decision(services, case.application_id, Decision(
        outcome=Outcome.MANUAL_REVIEW, deficiencies=[], warnings=[warning], rules_version=services.ruleset.version_label,
        evaluated_on=services.clock().date()), "test-fingerprint")
    reviewer, _ = browser_login("rita")

    page = reviewer.get(f"/applications/{case.application_id}")

    assert page.status_code == 200
    assert "id_validity_period_inconsistent" in page.text and "accepted</span>" not in page.text
