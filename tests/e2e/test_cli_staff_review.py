"""`onboard staff …`, the fixed `onboard review …` commands and `onboard show`'s terminal and deposit, run as a
user would (a subprocess on the same home; no orchestrator needed for any of them)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.integration.backoffice.conftest import build_case

pytestmark = pytest.mark.e2e


@pytest.fixture
def services(onboard_home):
    from onboarding.bootstrap import get_services

    built = get_services()
    built.uow()
    return built


@pytest.fixture
def onboard(onboard_home, tmp_path):
    env = {**os.environ, "ONBOARD_HOME": str(onboard_home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "onboarding.cli.main", *args], env=env, cwd=tmp_path,
                              input=stdin, capture_output=True, text=True, timeout=120)

    return run


def test_staff_accounts_from_the_command_line(onboard):
    added = onboard("staff", "add", "rita", "--role", "reviewer")
    assert added.returncode == 0, added.stderr
    password = added.stdout.split("shown once, not stored): ")[1].strip()
    assert len(password) == 20
    piped = onboard("staff", "add", "otto", "--role", "ops", "--password-stdin", "--json",
                    stdin="a long enough password\n")
    assert piped.returncode == 0 and json.loads(piped.stdout)["generated_password"] is None
    assert onboard("staff", "add", "otto", "--role", "ops").stderr.strip() == "error: staff account otto exists already"
    short = onboard("staff", "add", "pat", "--role", "ops", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    assert "unknown role" in onboard("staff", "add", "pat", "--role", "boss").stderr
    assert onboard("staff", "disable", "otto").returncode == 0
    listed = json.loads(onboard("staff", "list", "--json").stdout)
    assert [(a["username"], a["role"], a["active"]) for a in listed] == [("otto", "ops", False),
                                                                        ("rita", "reviewer", True)]
    assert onboard("staff", "passwd", "rita", "--password-stdin", stdin="another long password\n").returncode == 0
    assert onboard("staff", "passwd", "nobody", "--password-stdin", stdin="another long password\n").returncode == 2


def test_review_request_keeps_the_reason_internal_and_sends_one_round(onboard, services):
    case = build_case(services, state="manual_review")
    done = onboard("review", "request", case.application_id, "bank_card", "storefront_photo",
                   "--reason", "storefront sign not visible", "--message-zh", "请拍摄清楚门头招牌。", "--json")
    assert done.returncode == 0, done.stderr
    view = json.loads(done.stdout)
    assert view["state"] == "needs_documents" and view["request"]["round"] == 1
    assert {i["document_type"] for i in view["request"]["items"]} == {"bank_card", "storefront_photo"}
    sent = "".join(p.read_text() for p in (services.settings.outbox_dir).rglob("*") if p.is_file())
    assert "请拍摄清楚门头招牌" in sent and "storefront sign not visible" not in sent


def test_review_approve_works_from_needs_documents(onboard, services):
    case = build_case(services)
    done = onboard("review", "approve", case.application_id, "--reason", "name typo confirmed", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["state"] == "approved"


def test_show_prints_the_terminal_and_the_deposit(onboard, services):
    from onboarding.service.call_outcomes import record_outcome
    from onboarding.service.review import approve
    from onboarding.service.terminals import add_terminal, ship

    case = build_case(services)
    add_terminal(services, "P2TEST00001", "P2")
    approve(services, case.application_id, actor="staff:test", reason="ok")
    # Shipping waits for the follow-up call that approval opens.
    with services.uow() as uow:
        call_id = uow.calls.for_one_application(case.application_id).id
    record_outcome(services, call_id, "confirmed", "details confirmed", actor="staff:test")
    ship(services, case.application_id)
    shown = onboard("show", case.application_id)
    assert shown.returncode == 0, shown.stderr
    for text in ("Terminal", "P2TEST00001", "shipped", "Deposit", "held"):
        assert text in shown.stdout
