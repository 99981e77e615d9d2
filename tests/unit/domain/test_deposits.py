"""The activation, deposit and dormancy rules (`domain.ledger_rules`, the only copy the sweep runs), on the
packaged P2 and Q1 policies."""
import itertools
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onboarding.domain.ledger_rules import (
    Window,
    activating_transaction,
    deposit_outcome,
    dormancy_cutoff,
    months_before,
    qualifying_volume,
)
from onboarding.domain.model import Application, Document
from onboarding.domain.terminals import BindingIncomplete, DepositState, Transaction, binding_for
from rules.deposit_policy import load_deposit_policies

UTC = timezone.utc
POLICIES = load_deposit_policies()
P2 = POLICIES.for_model("P2")
Q1 = POLICIES.for_model("Q1")
ACTIVATED = datetime(2026, 1, 7, 2, 0, tzinfo=UTC)
DEADLINE = ACTIVATED + timedelta(days=P2.window_days)
AFTER = DEADLINE + timedelta(hours=1)


_txn_ids = itertools.count(1)


def txn(at: datetime, amount_fen: int, kind: str = "sale", channel: str = "card_chip") -> Transaction:
    return Transaction(f"T{next(_txn_ids)}", "SN1", at, amount_fen, kind, channel)


def outcome(volume_fen: int, as_of: datetime) -> DepositState:
    return deposit_outcome(P2.threshold_fen, DEADLINE, volume_fen, as_of)


def volume(transactions, as_of=AFTER, policy=P2) -> int:
    return qualifying_volume(transactions, policy, Window(ACTIVATED, DEADLINE), as_of)


def test_the_packaged_p2_policy_is_the_public_example():
    assert (P2.amount_fen, P2.threshold_fen, P2.window_days, P2.dormant_months) == (9900, 1_000_000, 60, 12)


def test_card_sales_count_and_refunds_reversals_voids_take_back():
    transactions = [txn(ACTIVATED, 500_000), txn(ACTIVATED + timedelta(days=1), 600_000, channel="card_swipe"),
                    txn(ACTIVATED + timedelta(days=2), 50_000, "refund"),
                    txn(ACTIVATED + timedelta(days=3), 20_000, "reversal", "card_contactless"),
                    txn(ACTIVATED + timedelta(days=4), 30_000, "void")]
    assert volume(transactions) == 1_000_000


def test_qr_does_not_count_for_a_card_terminal_but_does_for_q1():
    transactions = [txn(ACTIVATED, 700_000, channel="qr"), txn(ACTIVATED, 100_000, "refund", "qr")]
    assert volume(transactions) == 0
    assert volume(transactions, policy=Q1) == 600_000


def test_the_window_opens_at_activation_and_closes_before_the_deadline():
    transactions = [txn(ACTIVATED - timedelta(seconds=1), 1), txn(ACTIVATED, 10),
                    txn(DEADLINE - timedelta(seconds=1), 100), txn(DEADLINE, 1000)]
    assert volume(transactions) == 110


def test_transactions_after_as_of_are_not_counted_yet():
    transactions = [txn(ACTIVATED + timedelta(days=1), 10), txn(ACTIVATED + timedelta(days=5), 100)]
    assert volume(transactions, as_of=ACTIVATED + timedelta(days=2)) == 10


def test_threshold_reached_on_the_last_day_refunds():
    reached = volume([txn(ACTIVATED, 1000), txn(DEADLINE - timedelta(minutes=1), 999_000)])
    assert outcome(reached, AFTER) is DepositState.REFUNDED


def test_one_fen_short_at_the_deadline_forfeits():
    short = volume([txn(ACTIVATED, 1000), txn(DEADLINE - timedelta(minutes=1), 998_999), txn(DEADLINE, 5000)])
    assert short == 999_999
    assert outcome(short, DEADLINE) is DepositState.FORFEITED


def test_short_before_the_deadline_stays_held():
    assert outcome(999_999, DEADLINE - timedelta(seconds=1)) is DepositState.HELD


def test_reaching_the_threshold_refunds_before_the_deadline():
    assert outcome(1_000_000, ACTIVATED + timedelta(days=3)) is DepositState.REFUNDED


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 70 * 24), st.integers(1, 400_000),
                          st.sampled_from(["sale", "refund", "reversal", "void"]),
                          st.sampled_from(["card_swipe", "card_chip", "card_contactless", "qr"])), max_size=25),
       st.integers(1, 500_000))
def test_one_more_card_sale_in_the_window_never_turns_a_refund_into_a_forfeit(rows, extra):
    transactions = [txn(ACTIVATED + timedelta(hours=h), amount, kind, channel) for h, amount, kind, channel in rows]
    before = outcome(volume(transactions), AFTER)
    more = transactions + [txn(ACTIVATED + timedelta(days=1), extra)]
    after = outcome(volume(more), AFTER)
    assert volume(more) == volume(transactions) + extra
    assert not (before is DepositState.REFUNDED and after is DepositState.FORFEITED)


def test_activation_is_the_first_card_sale_of_the_minimum_within_the_window():
    shipped = ACTIVATED - timedelta(days=2)
    transactions = [txn(shipped + timedelta(hours=1), P2.activation_min_amount_fen - 1),
                    txn(shipped + timedelta(hours=2), 50_000, channel="qr"),
                    txn(shipped + timedelta(hours=3), 50_000, "refund"),
                    txn(shipped + timedelta(hours=5), P2.activation_min_amount_fen),
                    txn(shipped + timedelta(hours=9), 90_000)]
    deadline = shipped + timedelta(days=P2.activation_window_days)
    assert activating_transaction(transactions, P2, shipped_at=shipped, activation_deadline=deadline,
                                  as_of=AFTER).occurred_at == shipped + timedelta(hours=5)
    assert activating_transaction(transactions, P2, shipped_at=shipped, activation_deadline=deadline,
                                  as_of=shipped + timedelta(hours=4)) is None


def test_a_first_sale_after_the_activation_window_does_not_activate():
    shipped = ACTIVATED
    deadline = shipped + timedelta(days=P2.activation_window_days)
    late = txn(deadline, 100_000)
    assert activating_transaction([late], P2, shipped_at=shipped, activation_deadline=deadline, as_of=AFTER) is None


@pytest.mark.parametrize(("moment", "months", "expected"), [
    (datetime(2027, 3, 31, 8, tzinfo=UTC), 1, datetime(2027, 2, 28, 8, tzinfo=UTC)),
    (datetime(2028, 3, 31, 8, tzinfo=UTC), 1, datetime(2028, 2, 29, 8, tzinfo=UTC)),
    (datetime(2027, 1, 15, 8, tzinfo=UTC), 12, datetime(2026, 1, 15, 8, tzinfo=UTC)),
    (datetime(2027, 1, 15, 8, tzinfo=UTC), 13, datetime(2025, 12, 15, 8, tzinfo=UTC)),
])
def test_months_before_counts_calendar_months(moment, months, expected):
    assert months_before(moment, months) == expected


def test_dormant_after_twelve_months_without_a_transaction():
    assert dormancy_cutoff(P2, datetime(2027, 1, 7, 2, tzinfo=UTC)) == datetime(2026, 1, 7, 2, tzinfo=UTC)


def application(merchant_type: str) -> Application:
    return Application(merchant_type=merchant_type, legal_name="李娜", id_number="110105194912310029",
                       phone="13900139000", email=None, business_name="李娜便利店",
                       business_address="北京市朝阳区建国路1号", settlement_holder_name="李娜",
                       settlement_number="6222021234567890123", settlement_bank="工商银行", device_model="P2",
                       created_at=ACTIVATED)


def test_a_small_micro_merchant_is_bound_by_the_principals_id_number():
    binding = binding_for(application("small_micro"), "SN1")
    assert (binding.registration_number, binding.settlement_account, binding.install_address) == (
        "110105194912310029", "6222021234567890123", "北京市朝阳区建国路1号")


def test_a_licensed_merchant_is_bound_by_the_uscc_read_from_the_licence():
    app = application("sole_trader")
    with pytest.raises(BindingIncomplete, match="USCC"):
        binding_for(app, "SN1")
    app.add_document(Document(application_id="", document_type="business_license", sha256="a" * 64, size_bytes=1,
                              media_type="image/png", uploaded_at=ACTIVATED, uploaded_by="m",
                              fields={"uscc": {"value": "92440300MA5DEXAMPL", "confidence": 0.9}}),
                     actor="m", at=ACTIVATED)
    assert binding_for(app, "SN1").registration_number == "92440300MA5DEXAMPL"
