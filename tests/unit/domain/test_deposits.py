"""What stays pure of the ledger: the terminal binding, the calendar arithmetic of dormancy, the audit event's
shape. (Which transactions activate, count and keep a terminal awake is SQL: tests/integration/ledger/
test_rule_parity.py runs those rules on SQLite and PostgreSQL.)"""
from datetime import datetime, timezone

import pytest

from onboarding.domain.ledger_rules import dormancy_cutoff, months_before
from onboarding.domain.model import Application, Document, audit_fields
from onboarding.domain.terminals import BindingIncomplete, binding_for
from rules.deposit_policy import load_deposit_policies

UTC = timezone.utc
P2 = load_deposit_policies().for_model("P2")
ACTIVATED = datetime(2026, 1, 7, 2, 0, tzinfo=UTC)


def test_the_packaged_p2_policy_is_the_public_example():
    assert (P2.amount_fen, P2.threshold_fen, P2.window_days, P2.dormant_months) == (9900, 1_000_000, 60, 12)


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


def test_an_audit_event_names_who_did_what_when_in_utc():
    event = audit_fields("APP-1", at=ACTIVATED, actor="sweep", action="transition", from_state="shipped",
                         to_state="active", reason="first sale", details={"sweep_id": "s1"})
    assert event == {"application_id": "APP-1", "at": ACTIVATED, "actor": "sweep", "action": "transition",
                     "from_state": "shipped", "to_state": "active", "reason": "first sale",
                     "details": {"sweep_id": "s1"}}
    with pytest.raises(ValueError, match="timezone-aware"):
        audit_fields("APP-1", at=ACTIVATED.replace(tzinfo=None), actor="sweep", action="x")
    with pytest.raises(ValueError, match="who did what"):
        audit_fields("APP-1", at=ACTIVATED, actor="", action="x")


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
