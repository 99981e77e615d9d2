"""Issue 18, money: batches an attacker (or a broken acquirer export) sends. Every refused batch imports
nothing; rows that got in before the ceilings existed quarantine their terminal, and the sweep goes on."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from ledger_world import SHIPPED_AT

from onboarding.adapters.database import MIGRATIONS_DIR
from onboarding.service.deposits import deposits_report
from onboarding.service.transactions import TransactionImportError, import_transactions

ACTIVATED = SHIPPED_AT + timedelta(days=1)
BIGINT_MAX = 2**63 - 1


def _alembic(url: str, action, revision: str, sealer) -> None:
    engine = sa.create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            config.attributes["sealer"] = sealer  # migrations since 0018 encrypt and decrypt rows
            action(config, revision)
    finally:
        engine.dispose()


def test_overflowing_rows_from_before_the_ceilings_quarantine_one_terminal_and_the_sweep_goes_on(ledger,
                                                                                                 database_url):
    """The reported attack: two rows of 9223372036854775807 fen for one terminal. They can no longer be imported,
    so they are put where an installation upgraded from before the ceilings has them: in the ledger, under
    revision 0009 (the one before the ceilings), then upgraded. Before, every sweep (and the deposits report)
    stopped with an overflow."""
    attacked, honest = ledger.shipped("SN0666"), ledger.shipped("SN0001")
    ledger.import_rows([ledger.txn("SN0001", ACTIVATED, 1000), ledger.txn("SN0001", ACTIVATED + timedelta(days=1),
                                                                           1_000_000)])
    _alembic(database_url, command.downgrade, "0009", ledger.services.sealer)
    with sa.create_engine(database_url).begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO import_batches (id, sha256, source, imported_at, row_count, new_count) "
            "VALUES ('BAT-ATTACK0001', :sha, 'attack.csv', :at, 2, 2)"), {"sha": "f" * 64, "at": ACTIVATED})
        for n in (1, 2):
            connection.execute(sa.text(
                "INSERT INTO transactions (txn_id, terminal_sn, occurred_at, amount_fen, kind, channel, batch_id) "
                "VALUES (:id, 'SN0666', :at, :fen, 'sale', 'card_chip', 'BAT-ATTACK0001')"),
                {"id": f"EVIL{n}", "at": ACTIVATED, "fen": BIGINT_MAX})
    _alembic(database_url, command.upgrade, "head", ledger.services.sealer)

    report = ledger.sweep(ACTIVATED + timedelta(days=2))
    assert (report.quarantined, report.quarantined_total, report.refunded, report.activated) == (1, 1, 1, 1)
    from onboarding.service.ledger_views import quarantined_terminals, terminal_view

    [quarantined] = quarantined_terminals(ledger.services)
    assert (quarantined["serial_number"], quarantined["application_id"]) == ("SN0666", attacked)
    assert quarantined["reason"] == ("a transaction of 9223372036854775807 fen is above the per-transaction ceiling "
                                     "of 100000000 fen; void the batch that brought it")
    assert quarantined["gross_fen"] == BIGINT_MAX  # added up without overflow, capped at the column's maximum
    assert terminal_view(ledger.services, attacked)["state"] == "shipped"
    assert terminal_view(ledger.services, honest)["state"] == "active"
    assert ledger.count("audit_events", application_id=attacked, action="terminal_quarantined") == 1
    assert deposits_report(ledger.services, ACTIVATED + timedelta(days=2))["terminals_quarantined"] == 1

    from onboarding.service.transaction_batches import void_batch

    voided = void_batch(ledger.services, "BAT-ATTACK0001", reason="forged batch", actor="staff:lin")
    assert [(t["terminal_sn"], t["rows"]) for t in voided["terminals"]] == [("SN0666", 2)]
    again = ledger.sweep(ACTIVATED + timedelta(days=3))
    assert (again.quarantine_lifted, again.quarantined_total) == (1, 0)
    assert terminal_view(ledger.services, attacked)["quarantine"] is None


def test_a_batch_with_rows_no_ledger_may_hold_is_refused_whole_naming_each_line(ledger):
    ledger.shipped("SN0001")
    from onboarding.service.terminals import add_terminal

    add_terminal(ledger.services, "SN0002", "P2")  # in stock
    ledger.services.settings.ledger_max_terminal_fen = 5_000_000
    rows = [ledger.txn("SN0001", ACTIVATED, 1000),  # line 2: fine
            ledger.txn("SN0002", ACTIVATED, 1000),  # line 3: not shipped
            ledger.txn("SN0001", SHIPPED_AT - timedelta(minutes=1), 1000),  # line 4: before it shipped
            {**ledger.txn("SN0001", ACTIVATED, 1000), "txn_id": "T\x00X"},  # line 5: NUL
            ledger.txn("SN0001", SHIPPED_AT.replace(year=2099), 1000),  # line 6: the future
            ledger.txn("SN0001", ACTIVATED, BIGINT_MAX),  # line 7: above the per-transaction ceiling
            ledger.txn("SN0001", ACTIVATED, 2_500_000), ledger.txn("SN0001", ACTIVATED, 2_500_000)]  # line 9: ceiling
    ledger.now = ACTIVATED + timedelta(hours=1)
    with pytest.raises(TransactionImportError) as refused:
        import_transactions(ledger.services, ledger.csv(rows), source="hostile.csv")
    problems = dict(refused.value.problems)
    assert sorted(problems) == [3, 4, 5, 6, 7, 9]
    assert problems[3] == "terminal_sn: terminal SN0002 is in_stock, not shipped: it cannot take payments"
    assert problems[4].startswith("occurred_at: before terminal SN0001 shipped (2026-01-05T02:00:00")
    assert problems[5] == "txn_id: 'T\\x00X' contains a control or invisible character"
    assert problems[6].startswith("occurred_at: '2099-01-05T10:00:00+08:00' is in the future")
    assert problems[7] == f"amount_fen: '{BIGINT_MAX}' is above the per-transaction ceiling of 100000000 fen"
    assert problems[9] == ("amount_fen: takes terminal SN0001 to 5002000 fen in all, above the per-terminal "
                           "ceiling of 5000000 fen")
    assert ledger.count("transactions") == ledger.count("import_batches") == 0
    assert ledger.count("terminals", gross_fen=0) == 2


def test_the_terminal_ceiling_counts_rows_already_in_the_ledger_once(ledger):
    ledger.shipped("SN0001")
    ledger.services.settings.ledger_max_terminal_fen = 5_000_000
    first = [ledger.txn("SN0001", ACTIVATED, 2_000_000), ledger.txn("SN0001", ACTIVATED, 2_000_000)]
    ledger.import_rows(first)
    resent = ledger.import_rows(first + [ledger.txn("SN0001", ACTIVATED, 1_000_000)])  # exactly at the ceiling
    assert (resent.rows, resent.new) == (3, 1)
    with pytest.raises(TransactionImportError, match="line 2: amount_fen: takes terminal SN0001 to 5000001 fen"):
        ledger.import_rows([ledger.txn("SN0001", ACTIVATED, 1)])
    assert ledger.count("terminals", serial_number="SN0001", gross_fen=5_000_000) == 1


def test_voiding_a_batch_takes_its_rows_out_recounts_held_deposits_and_says_what_it_cannot_undo(ledger):
    from onboarding.service.ledger_views import deposit_transactions, deposit_view
    from onboarding.service.transaction_batches import list_batches, void_batch

    counted, refunded, activated = ledger.shipped("SN0001"), ledger.shipped("SN0002"), ledger.shipped("SN0003")
    ledger.import_rows([ledger.txn("SN0001", ACTIVATED, 1000), ledger.txn("SN0002", ACTIVATED, 1000)])
    ledger.sweep(ACTIVATED + timedelta(hours=1))
    wrong = [ledger.txn("SN0001", ACTIVATED + timedelta(days=1), 500_000, txn_id="W1"),
             ledger.txn("SN0002", ACTIVATED + timedelta(days=1), 999_000, txn_id="W2"),  # reaches the threshold
             ledger.txn("SN0003", ACTIVATED + timedelta(days=1), 2000, txn_id="W3")]  # activates SN0003
    batch = ledger.import_rows(wrong).batch_id
    swept = ledger.sweep(ACTIVATED + timedelta(days=2))
    assert (swept.refunded, swept.activated) == (1, 1)

    ledger.now = ACTIVATED + timedelta(days=3)
    result = void_batch(ledger.services, batch, reason="acquirer sent the wrong day's file", actor="staff:lin")
    assert (result["voided"], result["already_voided"], result["voided_by"]) == (True, False, "staff:lin")
    assert [(t["terminal_sn"], t["rows"], t["fen"]) for t in result["terminals"]] == [
        ("SN0001", 1, 500_000), ("SN0002", 1, 999_000), ("SN0003", 1, 2000)]
    assert result["recounted"] == [
        {"application_id": counted, "terminal_sn": "SN0001", "volume_before_fen": 501_000, "volume_after_fen": 1000},
        {"application_id": activated, "terminal_sn": "SN0003", "volume_before_fen": 2000, "volume_after_fen": 0}]
    assert [(d["application_id"], d["state"]) for d in result["decided_deposits_to_review"]] == [
        (refunded, "refunded")]
    assert result["activations_to_review"] == ["SN0003"]
    assert deposit_view(ledger.services, counted)["qualifying_volume_fen"] == 1000
    assert ledger.count("transactions") == 2 and ledger.count("voided_transactions") == 3
    assert ledger.count("audit_events", action="transactions_voided") == 3
    explained = deposit_transactions(ledger.services, counted)
    assert [(v["txn_id"], v["reason"], v["void_reason"]) for v in explained["voided"]] == [
        ("W1", "voided", "acquirer sent the wrong day's file")]
    mismatches = deposits_report(ledger.services, ledger.now)["reconciliation"]["mismatches"]
    assert [(m["application_id"], m["difference_fen"]) for m in mismatches] == [(refunded, 999_000)]

    again = void_batch(ledger.services, batch, reason="twice", actor="staff:wu")
    assert (again["already_voided"], again["voided_by"], again["void_reason"]) == (
        True, "staff:lin", "acquirer sent the wrong day's file")
    assert ledger.count("audit_events", action="transactions_voided") == 3
    with pytest.raises(TransactionImportError, match=f"imported as batch {batch}, which staff:lin voided"):
        ledger.import_rows(wrong)
    corrected = ledger.import_rows([{**row, "amount_fen": "50000"} for row in wrong])  # the same txn ids, fixed
    assert corrected.new == 3
    assert [b["batch_id"] for b in list_batches(ledger.services)][:2] == [corrected.batch_id, batch]


@pytest.mark.parametrize(("batch_id", "reason", "message"), [
    ("BAT-NOSUCH0000", "typo", "no batch BAT-NOSUCH0000"),
    (None, "  ", "a void needs a reason"),
])
def test_a_void_without_a_batch_or_a_reason_is_refused_and_changes_nothing(ledger, batch_id, reason, message):
    from onboarding.domain.terminals import LedgerError
    from onboarding.service.transaction_batches import void_batch

    ledger.shipped("SN0001")
    batch = ledger.import_rows([ledger.txn("SN0001", ACTIVATED, 1000)]).batch_id
    with pytest.raises(LedgerError, match=message):
        void_batch(ledger.services, batch_id or batch, reason=reason, actor="staff:lin")
    assert ledger.count("transactions") == 1 and ledger.count("voided_transactions") == 0


def test_a_batch_with_more_bad_rows_than_are_listed_counts_them_all(ledger):
    ledger.shipped("SN0001")
    rows = [ledger.txn("SN0001", ACTIVATED, 1000)] + [ledger.txn(f"SN9{n:03d}", ACTIVATED, 1000) for n in range(60)]
    with pytest.raises(TransactionImportError) as refused:
        ledger.import_rows(rows)
    assert (refused.value.total, len(refused.value.problems)) == (60, 50)
    assert str(refused.value).endswith("(and 55 more)")
