"""`onboard calls`, `onboard complaints`, `onboard change`, `onboard changes` as staff run them: one JSON document
on stdout with --json, one line on stderr and exit 2 for bad input (nothing stored)."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def approved_id(onboard_home) -> str:
    from onboarding.bootstrap import get_services
    from onboarding.domain.model import Application
    from onboarding.domain.states import ApplicationState as S
    from onboarding.service.review import decide
    from rules.model import Outcome

    services = get_services()
    services.uow()
    now = services.clock()
    app = Application(merchant_type="small_micro", legal_name="王昌良", id_number="440781197506032481",
                      phone="13800138000", email=None, business_name="台山市北陡镇昌良小吃店",
                      business_address="广东省江门市台山市北陡镇沙咀村12号", settlement_holder_name="王昌良",
                      settlement_number="6222021234567890123", settlement_bank="中国工商银行", device_model="P2",
                      created_at=now - timedelta(days=1))
    app.transition(S.CHECKING, actor="engine", reason="t", at=now - timedelta(days=1))
    app.transition(S.MANUAL_REVIEW, actor="engine", reason="t", at=now - timedelta(days=1))
    with services.uow() as uow:
        uow.applications.add(app)
        uow.commit()
    decide(services, app.id, Outcome.APPROVED, actor="staff:ana", reason="fine")
    return app.id


def test_staff_work_calls_complaints_and_changes_from_the_command_line(onboard, approved_id):
    (call,) = onboard("calls", "list", "--json").json()
    assert call["application_id"] == approved_id and call["state"] == "open" and call["whom"]["phone"] == "1380***8000"
    recorded = onboard("calls", "record", call["call_id"], "--outcome", "unreachable", "--note", "no answer")
    assert recorded.exit_code == 0 and f"{call['call_id']}  {approved_id}  open" in recorded.stdout
    assert "confirm settlement_last4: 0123" in recorded.stdout

    opened = onboard("complaints", "open", approved_id, "--category", "deposit", "--text", "押金什么时候退？", "--json")
    assert opened.exit_code == 0, opened.stderr
    complaint = opened.json()
    assert [c["stage"] for c in complaint["clocks"]] == ["acknowledge", "first_answer", "resolve"]
    assert onboard("complaints", "ack", complaint["complaint_id"], "--json").json()["clocks"][0]["status"] == "met"
    (listed,) = onboard("complaints", "list", "--state", "open", "--json").json()
    assert listed["complaint_id"] == complaint["complaint_id"] and listed["state"] == "acknowledged"
    assert {"due_at", "met", "breached", "status"} <= set(listed["clocks"][0])

    refused = onboard("change", approved_id, "--settlement-account",
                      json.dumps({"holder_name": "李四", "number": "6222021234567899999", "bank_name": "中国银行"},
                                 ensure_ascii=False), "--json")
    assert refused.exit_code == 0 and refused.json()["state"] == "refused"
    assert refused.json()["findings"][0]["code"] == "settlement_account_name_mismatch"
    started = onboard("change", approved_id, "--phone", "13911112222", "--json").json()
    assert started["state"] == "awaiting_merchant" and started["waiting_for"]["codes"] == ["phone"]
    shown = onboard("show", approved_id, "--json").json()
    assert shown["follow_up_call"]["call_id"] == call["call_id"]
    assert [c["state"] for c in shown["change_requests"]] == ["refused", "awaiting_merchant"]
    assert shown["complaints"][0]["complaint_id"] == complaint["complaint_id"]


@pytest.mark.parametrize(("args", "message"), [
    (("calls", "record", "CALL-NOPE", "--outcome", "confirmed", "--note", "x"), "no follow-up call CALL-NOPE"),
    (("change", "{app}", "--phone", "123"), "phone: must be an 11-digit mainland mobile number"),
    (("complaints", "open", "{app}", "--category", "weather", "--text", "x"), "category 'weather' is not one of"),
])
def test_bad_input_is_one_line_and_exit_2(onboard, approved_id, args, message):
    result = onboard(*[a.replace("{app}", approved_id) for a in args])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: ") and message in result.stderr and len(result.stderr.splitlines()) == 1
