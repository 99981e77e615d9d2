"""The pure rules after approval: complaint clocks, call retries, one-time codes, how a merchant is told what
counts for their deposit (which transaction counts is the ledger's rule: tests/integration/ledger)."""
from datetime import datetime, timedelta, timezone

import pytest

from onboarding.domain.calls import CallOutcome, FollowUpCall, releases_shipping
from onboarding.domain.changes import ChangeRequest, CodeRefused, relevant_findings
from onboarding.domain.complaints import Complaint, ComplaintRefused, clock_status
from onboarding.portal.aftercare_texts import what_counts
from rules.aftercare_policy import ComplaintStage

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
MINUTES = {ComplaintStage.ACKNOWLEDGE: 30, ComplaintStage.FIRST_ANSWER: 24 * 60, ComplaintStage.RESOLVE: 48 * 60}
REMIND = {ComplaintStage.ACKNOWLEDGE: 10, ComplaintStage.FIRST_ANSWER: 120, ComplaintStage.RESOLVE: 240}


def complaint(at: datetime = T0) -> Complaint:
    c = Complaint(application_id="APP-1", category="deposit", text="?", opened_at=at, opened_by="merchant:link",
                  complex=True, policy_version="test")
    c.start_clocks(at, lambda stage: at + timedelta(minutes=MINUTES[stage]), REMIND)
    return c


def statuses(c: Complaint, now: datetime) -> list[str]:
    return [clock_status(k, now) for k in c.current_clocks()]


def test_each_stage_is_reminded_before_and_breached_after_its_due_time_once():
    c = complaint()
    assert c.next_clock_at == T0 + timedelta(minutes=20)
    assert c.due_events(T0 + timedelta(minutes=19), REMIND) == []
    assert c.due_events(T0 + timedelta(minutes=20), REMIND) == [("acknowledge", "reminder")]
    assert c.due_events(T0 + timedelta(minutes=25), REMIND) == []
    assert c.due_events(T0 + timedelta(minutes=30), REMIND) == [("acknowledge", "breach")]
    assert c.due_events(T0 + timedelta(minutes=31), REMIND) == []
    assert c.next_clock_at == T0 + timedelta(hours=22)  # the first answer's reminder
    # A sweep that missed every reminder still records each breach, and reminds nothing already breached.
    assert c.due_events(T0 + timedelta(hours=50), REMIND) == [("first_answer", "breach"), ("resolve", "breach")]
    assert c.next_clock_at is None


def test_a_later_stage_meets_the_earlier_ones_and_late_is_told_apart_from_on_time():
    c = complaint()
    assert c.answer("checking", actor="staff", at=T0 + timedelta(minutes=45), remind_before=REMIND) == [
        "acknowledge", "first_answer"]
    assert statuses(c, T0 + timedelta(hours=1)) == ["met_late", "met", "pending"]
    c.resolve("done", actor="staff", at=T0 + timedelta(hours=3), remind_before=REMIND)
    assert statuses(c, T0 + timedelta(hours=3)) == ["met_late", "met", "met"] and c.next_clock_at is None
    with pytest.raises(ComplaintRefused, match="cannot be acknowledged"):
        c.acknowledge(actor="staff", at=T0 + timedelta(hours=4), remind_before=REMIND)
    c.confirm(at=T0 + timedelta(hours=5))
    assert (c.state, c.confirmed_by_merchant) == ("closed", True)


def test_reopening_starts_a_new_round_and_only_within_the_days_allowed():
    c = complaint()
    c.close(actor="staff", reason="sorted on the phone", at=T0 + timedelta(hours=1), remind_before=REMIND)
    later = T0 + timedelta(days=3)
    c.reopen(at=later, reopen_days=7, due=lambda s: later + timedelta(minutes=MINUTES[s]), remind_before=REMIND)
    assert (c.state, c.round, len(c.clocks)) == ("open", 2, 6)
    assert statuses(c, later) == ["pending", "pending", "pending"]
    c.close(actor="staff", reason="again", at=later, remind_before=REMIND)
    assert not c.can_reopen(later + timedelta(days=8), 7)
    with pytest.raises(ComplaintRefused, match="more than 7 days ago"):
        c.reopen(at=later + timedelta(days=8), reopen_days=7, due=lambda s: later, remind_before=REMIND)


def test_an_unreachable_merchant_is_tried_after_each_interval_then_escalated():
    call = FollowUpCall(application_id="APP-1", created_at=T0, due_at=T0, confirm=["legal_name"],
                        blocks_shipping=True, policy_version="test")
    at = T0
    for expected_due in (T0 + timedelta(hours=4), T0 + timedelta(hours=24), T0 + timedelta(hours=48)):
        assert call.record(CallOutcome.UNREACHABLE, note="no answer", actor="s", at=at,
                           retry_after_hours=(4, 24, 48)) == "open"
        assert call.due_at == expected_due
    assert call.record(CallOutcome.UNREACHABLE, note="no answer", actor="s", at=at,
                       retry_after_hours=(4, 24, 48)) == "escalated"
    assert not releases_shipping(call, None)
    call.record(CallOutcome.CHANGED, note="new address", actor="s", at=at, retry_after_hours=(4, 24, 48))
    assert not releases_shipping(call, "awaiting_merchant") and releases_shipping(call, "applied")
    assert releases_shipping(None, None)


def test_a_code_confirms_only_its_own_contact_and_wrong_codes_count_against_every_pending_one():
    change = ChangeRequest(application_id="APP-1", created_at=T0, created_by="m", expires_at=T0 + timedelta(days=14),
                           proposed={"phone": "13911112222", "email": "n@example.com"},
                           needs_codes=["phone", "email"], needs_documents=[], needs_approval=False,
                           policy_version="test")
    phone_code = change.issue_code("phone", T0, minutes=15, max_sends=3)
    change.issue_code("email", T0, minutes=15, max_sends=3)
    assert "code" not in str(change.codes) or phone_code not in str(change.codes)  # only salted hashes kept
    with pytest.raises(CodeRefused, match="not right"):
        change.enter_code("999999" if phone_code != "999999" else "888888", T0, max_attempts=5)
    assert {c["attempts"] for c in change.codes.values()} == {1}
    assert change.enter_code(phone_code, T0 + timedelta(minutes=1), max_attempts=5) == "phone"
    assert change.codes_pending() == ["email"] and change.next_state() == "awaiting_merchant"
    with pytest.raises(CodeRefused, match="no code is wanted for phone"):
        change.issue_code("phone", T0, minutes=15, max_sends=3)


def test_a_change_answers_only_for_what_it_brings():
    findings = [{"code": "document_expired", "document_type": "id_card_back"},
                {"code": "card_number_mismatch", "document_type": "bank_card"},
                {"code": "settlement_account_name_mismatch", "document_type": "bank_card"}]
    assert [f["code"] for f in relevant_findings(findings, {"address_proof"}, frozenset())] == []
    assert [f["code"] for f in relevant_findings(findings, {"bank_card"}, frozenset())] == [
        "card_number_mismatch", "settlement_account_name_mismatch"]


def test_the_merchant_is_told_what_counts_from_the_terminals_own_policy():
    card = ["card_chip", "card_contactless", "card_swipe"]
    assert what_counts("en", card, ["refund"]) == "Card payments count; QR payments and refunds do not."
    assert what_counts("zh", card, ["refund"]) == "银行卡交易计入；扫码交易和退款不计入。"
    assert what_counts("en", ["card_contactless", "qr"], ["refund"]) == (
        "Contactless and QR payments count; swiped card and chip card payments and refunds do not.")
    assert what_counts("zh", ["card_contactless", "qr"], ["refund"]) == "闪付、扫码交易计入；刷卡、插卡交易和退款不计入。"
