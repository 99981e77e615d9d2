"""Complaints: three clocked stages (acknowledge 30 min, first answer 24 h, resolved 48 h for complex
categories), reminders before and breaches after, driven by `sweep --as-of`; closed by the merchant's
confirmation or by staff with a reason; reopened within the rule files' days; deposit complaints show the
terminal's qualifying volume transaction by transaction."""
from __future__ import annotations

from datetime import timedelta

import pytest

from aftercare_world import NOW, photo
from documents.types import DocumentType
from onboarding.domain.complaints import ComplaintRefused
from onboarding.service.complaints import act, complaint_rows, complaint_view, open_complaint
from onboarding.service.submission import UploadedFile, UploadRefused


def clocks(view) -> dict[str, str]:
    return {c["stage"]: c["status"] for c in view["clocks"]}


def test_a_complaint_passes_each_stage_on_time_with_a_reminder_before_each(world):
    app = world.approved()
    complaint_id = open_complaint(world.services, app, "deposit", "押金还没退", actor="merchant:link")
    view = complaint_view(world.services, complaint_id)
    assert [(c["stage"], c["due_at"]) for c in view["clocks"]] == [
        ("acknowledge", "2026-12-01T10:30:00+08:00"), ("first_answer", "2026-12-02T10:00:00+08:00"),
        ("resolve", "2026-12-03T10:00:00+08:00")]  # deposit is complex: 48 h
    received = next(m for m in world.outbox(app) if "-received:sms" in m["idempotency_key"])
    assert "10:30" in received["body"] and "/r/" in received["body"]

    assert world.sweep(NOW + timedelta(minutes=19))["complaints"] == {"reminders": 0, "breaches": 0}
    assert world.sweep(NOW + timedelta(minutes=20))["complaints"] == {"reminders": 1, "breaches": 0}
    world.now = NOW + timedelta(minutes=25)
    act(world.services, complaint_id, "acknowledge", actor="staff:ana")

    assert world.sweep(NOW + timedelta(hours=22))["complaints"] == {"reminders": 1, "breaches": 0}
    world.now = NOW + timedelta(hours=23)
    act(world.services, complaint_id, "answer", actor="staff:ana", text="已核实，正在为您处理退款。")

    assert world.sweep(NOW + timedelta(hours=44))["complaints"] == {"reminders": 1, "breaches": 0}
    world.now = NOW + timedelta(hours=47)
    view = act(world.services, complaint_id, "resolve", actor="staff:ana", text="押金已于今日退还。")
    assert view["state"] == "resolved" and clocks(view) == {"acknowledge": "met", "first_answer": "met",
                                                            "resolve": "met"}
    assert world.sweep(NOW + timedelta(hours=49))["complaints"] == {"reminders": 0, "breaches": 0}

    world.now = NOW + timedelta(hours=50)
    view = act(world.services, complaint_id, "confirm", actor="merchant:link", application_id=app)
    assert (view["state"], view["confirmed_by_merchant"], view["closed_by"]) == ("closed", True, "merchant")
    assert [a for a in world.actions(app) if a.startswith("complaint_")] == [
        "complaint_opened", "complaint_reminder", "complaint_acknowledged", "complaint_reminder",
        "complaint_answered", "complaint_reminder", "complaint_resolved", "complaint_confirmed"]
    sent = [m["idempotency_key"] for m in world.outbox(app) if f"complaint-{complaint_id}" in m["idempotency_key"]]
    assert any("-acknowledged-" in k for k in sent) and any("-answer-" in k for k in sent)
    assert any("-resolved-" in k for k in sent)


def test_a_stage_left_too_long_is_breached_once_and_shows_as_met_late(world):
    app = world.approved()
    complaint_id = open_complaint(world.services, app, "activation", "终端开不了机", actor="staff:bo")
    assert world.sweep(NOW + timedelta(minutes=31))["complaints"] == {"reminders": 0, "breaches": 1}
    assert world.sweep(NOW + timedelta(minutes=40))["complaints"] == {"reminders": 0, "breaches": 0}
    world.now = NOW + timedelta(minutes=45)
    (row,) = complaint_rows(world.services, "open")
    ack = row["clocks"][0]
    assert (ack["status"], ack["met"], ack["breached"]) == ("breached", False, True)
    view = act(world.services, complaint_id, "acknowledge", actor="staff:bo")
    assert clocks(view)["acknowledge"] == "met_late"
    assert view["clocks"][2]["due_at"] == "2026-12-02T10:00:00+08:00"  # activation is not complex: 24 h
    assert world.actions(app).count("complaint_breach") == 1


def test_staff_close_with_a_reason_and_the_merchant_may_reopen_within_the_days_allowed(world):
    app = world.approved()
    complaint_id = open_complaint(world.services, app, "other", "想换个终端颜色", actor="merchant:link")
    with pytest.raises(ComplaintRefused, match="reason is empty"):
        act(world.services, complaint_id, "close", actor="staff:ana", text=" ")
    view = act(world.services, complaint_id, "close", actor="staff:ana", text="merchant agreed on the phone")
    assert (view["state"], view["close_reason"], view["confirmed_by_merchant"]) == (
        "closed", "merchant agreed on the phone", False)
    world.now = NOW + timedelta(days=6)
    view = act(world.services, complaint_id, "reopen", actor="merchant:link", application_id=app)
    assert (view["state"], view["round"]) == ("open", 2)
    assert clocks(view) == {"acknowledge": "pending", "first_answer": "pending", "resolve": "pending"}
    assert len(view["earlier_clocks"]) == 3
    act(world.services, complaint_id, "close", actor="staff:ana", text="done again")
    world.now = NOW + timedelta(days=14)
    with pytest.raises(ComplaintRefused, match="more than 7 days ago"):
        act(world.services, complaint_id, "reopen", actor="merchant:link", application_id=app)


def test_a_link_only_reaches_its_own_applications_complaints(world):
    mine, theirs = world.approved(), world.approved()
    complaint_id = open_complaint(world.services, theirs, "other", "x", actor="staff:ana")
    with pytest.raises(ComplaintRefused, match="no complaint"):
        act(world.services, complaint_id, "reopen", actor="merchant:link", application_id=mine)


def stored_files(world) -> set:
    return {p.name for p in world.services.settings.documents_dir.rglob("*") if p.is_file()}


def test_bad_complaints_store_nothing(world):
    app = world.approved()
    files_before = stored_files(world)
    with pytest.raises(ComplaintRefused, match="not one of deposit, transactions"):
        open_complaint(world.services, app, "weather", "太热", actor="staff:ana")
    with pytest.raises(ComplaintRefused, match="empty"):
        open_complaint(world.services, app, "other", "   ", actor="staff:ana")
    with pytest.raises(UploadRefused, match="attachment"):
        open_complaint(world.services, app, "other", "see file", actor="staff:ana",
                       attachment=UploadedFile(DocumentType.INTERIOR_PHOTO, b"GIF89a" + b"\0" * 100, "a.gif"))
    assert complaint_rows(world.services) == []
    assert stored_files(world) == files_before
    complaint_id = open_complaint(world.services, app, "transactions", "这笔没到账", actor="merchant:link",
                                  attachment=UploadedFile(DocumentType.INTERIOR_PHOTO, photo(9), "receipt.jpg"))
    attachment = complaint_view(world.services, complaint_id)["attachment"]
    assert attachment["media_type"] == "image/jpeg" and world.services.blobs.exists(attachment["sha256"])


def test_a_deposit_complaint_shows_what_counted_and_what_did_not(world):
    app = world.approved()
    world.confirm_call(app)
    sn = world.shipped(app)
    activated = world.now + timedelta(days=1)
    world.later(days=1, hours=5)  # the batch arrives after the day's sales (the ledger refuses future rows)
    world.import_rows([
        world.txn(sn, activated, 50_000, channel="card_chip"),                   # activates, counts
        world.txn(sn, activated + timedelta(hours=1), 300_000, channel="qr"),   # P2: QR does not count
        world.txn(sn, activated + timedelta(hours=2), 20_000, kind="refund", channel="card_chip"),
        world.txn(sn, activated + timedelta(hours=3), 10_000, kind="reversal", channel="card_swipe"),
        world.txn(sn, activated + timedelta(hours=4), 100_000, channel="card_contactless"),
    ])
    world.sweep(world.later(days=1))
    complaint_id = open_complaint(world.services, app, "deposit", "刷了很多还没退押金", actor="merchant:link")
    deposit = complaint_view(world.services, complaint_id)["deposit"]
    assert deposit["terminal_sn"] == sn and deposit["qualifying_volume_fen"] == 50_000 - 20_000 - 10_000 + 100_000
    assert [(t["counted_fen"], t["reason"]) for t in deposit["transactions"]] == [
        (50_000, "counts"), (0, "channel_not_counted"), (-20_000, "takes_back"), (-10_000, "takes_back"),
        (100_000, "counts")]
    assert deposit["threshold_fen"] == 1_000_000 and deposit["deadline"].startswith("2027-01-31")
    assert deposit["days_left"] == 60 - 1
    assert deposit["counting"]["channels"] == ["card_chip", "card_contactless", "card_swipe"]


def test_the_report_counts_complaints_per_category_with_attainment_and_median_times(world):
    from onboarding.reporting.funnel import compute_funnel
    from onboarding.reporting.queries import load_funnel_inputs

    app = world.approved()
    on_time = open_complaint(world.services, app, "deposit", "押金", actor="merchant:link")
    late = open_complaint(world.services, app, "activation", "激活", actor="merchant:link")
    world.now = NOW + timedelta(minutes=12)
    act(world.services, on_time, "acknowledge", actor="staff:ana")
    world.now = NOW + timedelta(hours=2)
    act(world.services, on_time, "answer", actor="staff:ana", text="在处理")
    act(world.services, late, "answer", actor="staff:ana", text="请重启终端")  # acknowledge met late, with it
    as_of = NOW + timedelta(hours=30)
    with world.services.uow() as uow:
        report = compute_funnel(load_funnel_inputs(uow.session, as_of), as_of).complaints
    assert report.total == 2
    assert [(c.category, c.total, c.open) for c in report.by_category] == [("activation", 1, 1), ("deposit", 1, 1)]
    levels = {s.stage: s for s in report.service_levels}
    assert (levels["acknowledge"].met_on_time, levels["acknowledge"].met_late, levels["acknowledge"].attainment) == (
        1, 1, 0.5)
    assert levels["acknowledge"].median_hours == round((0.2 + 2) / 2, 3)
    assert (levels["first_answer"].met_on_time, levels["first_answer"].attainment) == (2, 1.0)
    # resolve: activation's 24 h passed unresolved; deposit's 48 h still running
    assert (levels["resolve"].breached_unmet, levels["resolve"].pending, levels["resolve"].attainment) == (1, 1, 0.0)
