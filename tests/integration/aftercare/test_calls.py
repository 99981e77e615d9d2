"""Follow-up calls (回访): scheduled on approval for the types the rule files name, shipping waits for a
confirmed call where they say so, unreachable merchants are retried then escalated, late calls flagged once."""
from __future__ import annotations

from datetime import timedelta

import pytest

from aftercare_world import NEW_PHONE
from onboarding.domain.calls import CallRefused
from onboarding.service.call_outcomes import CallNotRecorded, record_outcome
from onboarding.service.calls import call_rows
from onboarding.service.change_input import parse_change
from onboarding.service.terminals import ShippingOnHold, add_terminal, ship


def call_of(world, application_id):
    with world.services.uow() as uow:
        call = uow.calls.for_one_application(application_id)
        if call is not None:
            uow.session.expunge(call)  # readable after the unit of work (leaving it rolls back and expires)
        return call


def test_approval_schedules_a_call_with_what_to_confirm_due_in_service_hours(world):
    app = world.approved()
    call = call_of(world, app)
    # Approved Tuesday 10:00 Shanghai; due 8 service hours later: Tuesday 18:00.
    assert call.due_at == world.now + timedelta(hours=8)
    assert call.blocks_shipping is True
    (row,) = call_rows(world.services)
    assert row["whom"] == {"business_name": "台山市北陡镇昌良小吃店", "legal_name": "王*良", "phone": "1380***8000"}
    assert [c["item"] for c in row["confirm"]] == ["legal_name", "business_address", "settlement_last4",
                                                   "device_model", "deposit_terms"]
    assert row["confirm"][2]["value"] == "0123"
    assert "¥99.00" in row["confirm"][4]["value"] and "¥10,000.00" in row["confirm"][4]["value"]
    assert "call_scheduled" in world.actions(app)
    approved_sms = next(m for m in world.outbox(app) if m["idempotency_key"].endswith(":approved:sms"))
    assert "致电" in approved_sms["body"] and "/r/" in approved_sms["body"]


def test_enterprises_get_no_call_and_sole_traders_one_that_does_not_hold_shipping(world):
    assert call_of(world, world.approved(merchant_type="enterprise", business_name="江门市昌良贸易有限公司")) is None
    sole = call_of(world, world.approved(merchant_type="sole_trader"))
    assert sole is not None and sole.blocks_shipping is False


def test_shipping_waits_for_the_confirmed_call(world):
    app = world.approved()
    add_terminal(world.services, "SN0001", "P2")
    with pytest.raises(ShippingOnHold, match="waits for follow-up call CALL-"):
        ship(world.services, app)
    world.confirm_call(app)
    assert ship(world.services, app).serial_number == "SN0001"


def test_an_unreachable_merchant_is_retried_then_escalated(world):
    app = world.approved()
    call = call_of(world, app)
    states = []
    for _ in range(4):
        view = record_outcome(world.services, call.id, "unreachable", "no answer", actor="staff:ana")
        states.append((view["state"], view["due_at"]))
        world.later(hours=1)
    assert [s for s, _ in states] == ["open", "open", "open", "escalated"]
    # Retries after 4, 24, 48 hours (from each try).
    assert states[0][1] != states[1][1] != states[2][1]
    assert world.actions(app).count("call_recorded") == 4
    assert world.actions(app).count("call_escalated") == 1
    record_outcome(world.services, call.id, "confirmed", "reached on the fifth try", actor="staff:bo")
    assert call_of(world, app).state == "confirmed"
    with pytest.raises(CallRefused, match="already confirmed"):
        record_outcome(world.services, call.id, "unreachable", "again", actor="staff:bo")


def test_bad_outcomes_change_nothing(world):
    app = world.approved()
    call = call_of(world, app)
    with pytest.raises(CallNotRecorded, match="not one of"):
        record_outcome(world.services, call.id, "maybe", "?", actor="staff:ana")
    with pytest.raises(CallNotRecorded, match="needs the new details"):
        record_outcome(world.services, call.id, "changed", "moved", actor="staff:ana")
    with pytest.raises(CallRefused, match="needs a note"):
        record_outcome(world.services, call.id, "confirmed", "  ", actor="staff:ana")
    assert call_of(world, app).attempts == []


def test_changed_details_become_a_change_request_and_shipping_waits_for_it(world):
    app = world.approved()
    call = call_of(world, app)
    view = record_outcome(world.services, call.id, "changed", "merchant has a new mobile", actor="staff:ana",
                          change=parse_change({"phone": NEW_PHONE}))
    assert view["state"] == "changed" and view["change_request_id"].startswith("CHG-")
    code_sms = world.messages_to(NEW_PHONE)
    assert len(code_sms) == 1 and "验证码" in code_sms[0]["body"]
    add_terminal(world.services, "SN0001", "P2")
    with pytest.raises(ShippingOnHold, match="waits until change CHG-"):
        ship(world.services, app)


def test_the_sweep_flags_a_late_call_once(world):
    app = world.approved()
    assert world.sweep(world.now + timedelta(hours=7))["calls"]["overdue_flagged"] == 0
    assert world.sweep(world.now + timedelta(hours=8))["calls"]["overdue_flagged"] == 1
    assert world.sweep(world.now + timedelta(hours=9))["calls"]["overdue_flagged"] == 0
    assert world.actions(app).count("call_overdue") == 1
    world.later(hours=9)
    assert call_rows(world.services)[0]["overdue"] is True


def test_the_status_list_says_an_approved_merchant_waits_on_the_call(world):
    from onboarding.service.views import status_rows

    app = world.approved()
    (row,) = status_rows(world.services)
    assert row["application_id"] == app and row["blocker"] == "follow-up call open, due 2026-12-01T18:00"
    world.confirm_call(app)
    assert status_rows(world.services)[0]["blocker"] == "terminal to ship"


def test_a_change_found_on_the_phone_that_never_applies_sends_staff_back_to_the_phone(world):
    from onboarding.service.changes import cancel

    app = world.approved()
    call = call_of(world, app)
    view = record_outcome(world.services, call.id, "changed", "new mobile", actor="staff:ana",
                          change=parse_change({"phone": NEW_PHONE}))
    cancel(world.services, view["change_request_id"], actor="merchant:link", reason="kept the old number")
    add_terminal(world.services, "SN0001", "P2")
    with pytest.raises(ShippingOnHold, match="was cancelled; call the merchant again"):
        ship(world.services, app)
    assert record_outcome(world.services, call.id, "confirmed", "old number after all",
                          actor="staff:ana")["state"] == "confirmed"
    assert ship(world.services, app).serial_number == "SN0001"
