"""Ship → transactions → sweep on a real database: activations, refunds, forfeits, flags, dormancy.

Policy P2 (packaged): ¥99 deposit, ¥10,000 within 60 days of activation, activation by a card sale of
at least ¥10 within 30 days of shipping, suspended after 12 months without a transaction.
"""
from datetime import timedelta

import pytest
from ledger_world import SHIPPED_AT

from onboarding.service.deposits import deposits_report
from onboarding.service.ledger_views import deposit_view, terminal_view
from onboarding.service.transactions import TransactionImportError, import_transactions

ACTIVATED = SHIPPED_AT + timedelta(days=2)
DEADLINE = ACTIVATED + timedelta(days=60)
AFTER_DEADLINE = DEADLINE + timedelta(hours=1)


def shipped_and_activated(ledger, sn: str = "SN0001", **options) -> str:
    application_id = ledger.shipped(sn, **options)
    ledger.import_rows([ledger.txn(sn, ACTIVATED, 1000)])
    return application_id


def test_threshold_reached_on_the_last_day_of_the_window_refunds(ledger):
    app = shipped_and_activated(ledger)
    ledger.import_rows([ledger.txn("SN0001", DEADLINE - timedelta(minutes=1), 999_000)])
    report = ledger.sweep(AFTER_DEADLINE)
    assert (report.activated, report.refunded, report.forfeited) == (1, 1, 0)
    deposit = deposit_view(ledger.services, app)
    assert (deposit["state"], deposit["qualifying_volume_fen"], deposit["threshold_fen"]) == ("refunded", 1_000_000,
                                                                                             1_000_000)
    assert ledger.count("refund_instructions", idempotency_key=f"refund:{app}") == 1
    assert ledger.count("outbox", idempotency_key=f"deposit:{app}:refunded:sms") == 1
    assert ledger.count("outbox", idempotency_key=f"deposit:{app}:refunded:email") == 1
    with ledger.services.uow() as uow:
        application = uow.applications.get(app)
        state, events = application.state, [(e.action, e.from_state, e.to_state) for e in application.events]
        [instruction] = uow.ledger.refund_instructions_for(app)
    assert state == "active"
    assert events[-2:] == [("transition", "shipped", "active"), ("deposit_refunded", "held", "refunded")]
    assert (instruction["amount_fen"], instruction["holder_name"], instruction["account_number"]) == (
        9900, "王昌良", "6222021234567890123")


def test_one_fen_short_forfeits_and_a_sale_at_the_deadline_is_too_late(ledger):
    app = shipped_and_activated(ledger)
    ledger.import_rows([ledger.txn("SN0001", DEADLINE - timedelta(minutes=1), 998_999),
                        ledger.txn("SN0001", DEADLINE, 50_000)])
    assert ledger.sweep(DEADLINE - timedelta(seconds=1)).forfeited == 0  # still inside the window
    report = ledger.sweep(DEADLINE)
    assert (report.refunded, report.forfeited) == (0, 1)
    assert deposit_view(ledger.services, app)["qualifying_volume_fen"] == 999_999
    assert ledger.count("refund_instructions") == 0
    assert ledger.count("outbox", idempotency_key=f"deposit:{app}:forfeited:sms") == 1


def test_refunds_and_qr_sales_pull_the_volume_back_under_the_threshold(ledger):
    app = shipped_and_activated(ledger)
    rows = [ledger.txn("SN0001", ACTIVATED + timedelta(days=5), 1_000_000),
            ledger.txn("SN0001", ACTIVATED + timedelta(days=6), 3_000, kind="refund"),
            ledger.txn("SN0001", ACTIVATED + timedelta(days=7), 500_000, channel="qr")]
    ledger.import_rows(rows)
    report = ledger.sweep(AFTER_DEADLINE)
    assert (report.refunded, report.forfeited) == (0, 1)
    assert deposit_view(ledger.services, app)["qualifying_volume_fen"] == 1000 + 1_000_000 - 3_000


def test_no_activation_within_the_window_is_flagged_for_staff_once(ledger):
    late = ledger.shipped("SN0001")
    small = ledger.shipped("SN0002")
    ledger.import_rows([ledger.txn("SN0001", SHIPPED_AT + timedelta(days=30), 100_000),  # one second too late
                        ledger.txn("SN0002", SHIPPED_AT + timedelta(days=1), 999)])  # below the ¥10 minimum
    assert ledger.sweep(SHIPPED_AT + timedelta(days=29)).activation_overdue_flagged == 0
    report = ledger.sweep(SHIPPED_AT + timedelta(days=31))
    assert (report.activated, report.activation_overdue_flagged, report.activation_overdue_total) == (0, 2, 2)
    again = ledger.sweep(SHIPPED_AT + timedelta(days=32))
    assert (again.activation_overdue_flagged, again.activation_overdue_total) == (0, 2)
    for app in (late, small):
        assert terminal_view(ledger.services, app)["activation_overdue"] is True
        assert ledger.count("audit_events", application_id=app, action="activation_overdue") == 1
    assert deposits_report(ledger.services, SHIPPED_AT + timedelta(days=32))["activation_overdue"] == 2


def test_a_duplicate_batch_imports_nothing_and_a_mixed_one_only_the_new_rows(ledger):
    ledger.shipped("SN0001")
    first = [ledger.txn("SN0001", ACTIVATED + timedelta(hours=h), 1000 + h) for h in range(3)]
    assert ledger.import_rows(first).new == 3
    again = ledger.import_rows(first)
    assert (again.new, again.duplicate_batch, again.already_imported) == (0, True, 3)
    mixed = ledger.import_rows(first[1:] + [ledger.txn("SN0001", ACTIVATED + timedelta(days=1), 5000)])
    assert (mixed.rows, mixed.new, mixed.duplicate_batch) == (3, 1, False)
    assert ledger.count("transactions") == 4
    assert ledger.count("import_batches") == 2


def test_a_malformed_row_rejects_the_whole_batch_naming_the_lines(ledger):
    ledger.shipped("SN0001")
    rows = [ledger.txn("SN0001", ACTIVATED, 1000), ledger.txn("SN0001", ACTIVATED, 2000),
            ledger.txn("SN9999", ACTIVATED, 3000), ledger.txn("SN0001", ACTIVATED, 4000)]
    rows[1]["amount_fen"] = "20.00"
    rows[3]["txn_id"] = rows[0]["txn_id"]
    ledger.now = ACTIVATED + timedelta(hours=1)
    with pytest.raises(TransactionImportError) as caught:
        import_transactions(ledger.services, ledger.csv(rows), source="batch-7.csv")
    assert caught.value.lines == [3, 4, 5]
    assert str(caught.value).startswith("batch-7.csv: rejected, nothing imported: line 3: amount_fen")
    assert "line 4: terminal_sn: unknown terminal 'SN9999'" in str(caught.value)
    assert f"line 5: txn_id: {rows[0]['txn_id']!r} repeats line 2" in str(caught.value)
    assert ledger.count("transactions") == ledger.count("import_batches") == 0
    assert ledger.import_rows(rows[:1]).new == 1  # the scratch table of the failed import is gone


def test_a_txn_id_imported_before_with_other_values_is_refused(ledger):
    ledger.shipped("SN0001")
    row = ledger.txn("SN0001", ACTIVATED, 1000)
    ledger.import_rows([row])
    with pytest.raises(TransactionImportError, match="line 2: txn_id: .* was imported .* with different values"):
        ledger.import_rows([{**row, "amount_fen": "100000"}])


def test_a_terminal_silent_for_twelve_months_is_suspended(ledger):
    app = shipped_and_activated(ledger)
    last = ACTIVATED + timedelta(days=10)
    ledger.import_rows([ledger.txn("SN0001", last, 500)])
    assert ledger.sweep(last.replace(year=last.year + 1) - timedelta(minutes=1)).suspended == 0
    report = ledger.sweep(last.replace(year=last.year + 1))
    assert report.suspended == 1
    assert terminal_view(ledger.services, app)["state"] == "suspended"
    assert ledger.count("audit_events", application_id=app, action="terminal_suspended") == 1
    assert ledger.sweep(last.replace(year=last.year + 2)).suspended == 0


def test_sweeping_twice_refunds_once_and_tells_the_merchant_once(ledger):
    app = shipped_and_activated(ledger, email=None)
    ledger.import_rows([ledger.txn("SN0001", ACTIVATED + timedelta(days=1), 1_000_000)])
    first = ledger.sweep(ACTIVATED + timedelta(days=2))
    second = ledger.sweep(ACTIVATED + timedelta(days=3))
    assert (first.refunded, second.refunded) == (1, 0)
    assert ledger.count("refund_instructions") == 1
    assert ledger.count("outbox", application_id=app) == 2  # held + refunded, by SMS only: no email on file
    assert ledger.count("audit_events", application_id=app, action="deposit_refunded") == 1
    assert ledger.count("audit_events", application_id=app, to_state="active") == 1


def test_the_report_counts_totals_dues_and_reconciles(ledger):
    refunded = shipped_and_activated(ledger, "SN0001")
    due = shipped_and_activated(ledger, "SN0002")
    closing = shipped_and_activated(ledger, "SN0003")
    ledger.import_rows([ledger.txn("SN0001", ACTIVATED + timedelta(days=1), 1_000_000)])
    ledger.sweep(ACTIVATED + timedelta(days=2))
    ledger.import_rows([ledger.txn("SN0002", ACTIVATED + timedelta(days=3), 999_000),
                        # back-dated: lands inside the window SN0001's refund was decided on
                        ledger.txn("SN0001", ACTIVATED + timedelta(days=1, hours=1), 40_000, kind="reversal")])
    report = deposits_report(ledger.services, DEADLINE - timedelta(days=5))
    assert report["deposits"] == {"held": {"count": 2, "amount_fen": 19800},
                                  "refunded": {"count": 1, "amount_fen": 9900},
                                  "forfeited": {"count": 0, "amount_fen": 0}}
    assert [(d["application_id"], d["reason"]) for d in report["due_next_7_days"]] == sorted(
        [(due, "threshold_reached"), (closing, "deadline_within_7_days")])
    assert report["refunds_due_fen"] == 9900
    assert report["reconciliation"]["mismatches"] == [
        {"application_id": refunded, "terminal_sn": "SN0001", "state": "refunded", "ledger_fen": 1_001_000,
         "transactions_fen": 961_000, "difference_fen": 40_000}]


def test_assigning_is_idempotent_and_shipping_twice_changes_nothing(ledger):
    from onboarding.service.terminals import add_terminal, assign_terminal, ship

    for sn in ("SN0001", "SN0002", "SN0003"):
        add_terminal(ledger.services, sn, "P2")
    add_terminal(ledger.services, "SN0008", "P8")
    app = ledger.approved_application()
    assert assign_terminal(ledger.services, app) == assign_terminal(ledger.services, app) == "SN0001"
    shipment = ship(ledger.services, app, "SN0002")  # staff packed another unit: SN0001 goes back to stock
    assert (shipment.serial_number, shipment.deposit_amount_fen, shipment.already_shipped) == ("SN0002", 9900, False)
    assert ship(ledger.services, app).already_shipped is True
    assert ledger.count("terminals", state="in_stock") == 3
    assert ledger.count("deposits") == 1
    assert ledger.count("outbox", application_id=app) == 2
    with ledger.services.uow() as uow:
        application = uow.applications.get(app)
        state, actions = application.state, [e.action for e in application.events]
        terminal = uow.ledger.get_terminal("SN0002")
    assert state == "shipped"
    assert actions[-4:] == ["terminal_assigned", "terminal_released", "terminal_assigned", "transition"]
    assert (terminal.binding.merchant_code, terminal.binding.registration_number) == (app, "440781197506032481")


def test_nothing_to_ship_and_unknown_models_are_clear_errors(ledger):
    from onboarding.domain.terminals import LedgerError
    from onboarding.service.terminals import NoTerminalInStock, add_terminal, assign_terminal, ship
    from rules.deposit_policy import UnknownDeviceModel

    app = ledger.approved_application(device_model="P8")
    assert assign_terminal(ledger.services, app) is None
    with pytest.raises(NoTerminalInStock, match="no P8 terminal in stock"):
        ship(ledger.services, app)
    with pytest.raises(UnknownDeviceModel):
        add_terminal(ledger.services, "SN0001", "Z1")
    add_terminal(ledger.services, "SN0001", "P2")
    with pytest.raises(LedgerError, match="SN0001 is a P2; application .* needs a P8"):
        ship(ledger.services, app, "SN0001")
    with pytest.raises(LedgerError, match="already in inventory as a P2"):
        add_terminal(ledger.services, "SN0001", "P8")
    assert ledger.count("deposits") == 0
