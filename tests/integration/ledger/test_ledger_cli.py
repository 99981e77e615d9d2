"""The ledger commands as `onboard` registers them: JSON on stdout, one-line errors with exit code 2."""
import json
from datetime import timedelta

import pytest
import typer
from ledger_world import SHIPPED_AT
from typer.testing import CliRunner

from onboarding.cli.ledger_commands import deposits_app, ship, terminals_app, transactions_app


@pytest.fixture
def database_url(tmp_path):
    """The CLI layer is the same on every database; the scenarios cover PostgreSQL."""
    return f"sqlite:///{tmp_path / 'onboard.db'}"


@pytest.fixture
def onboard(ledger):
    app = typer.Typer()
    app.add_typer(terminals_app, name="terminals")
    app.add_typer(transactions_app, name="transactions")
    app.add_typer(deposits_app, name="deposits")
    app.command()(ship)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def test_stock_ship_import_and_report_through_the_cli(ledger, onboard, tmp_path):
    stock = tmp_path / "stock.csv"
    stock.write_text("serial_number,model\nSN0001,P2\nSN0002,P2\n", encoding="utf-8")
    assert json.loads(onboard("terminals", "import", str(stock), "--json").stdout) == {
        "rows": 2, "added": 2, "already_in_stock": 0}
    assert json.loads(onboard("terminals", "add", "SN0009", "--model", "Q1", "--json").stdout)["added"] is True
    app = ledger.approved_application()

    shipped = onboard("ship", app, "--sn", "SN0002", "--json")
    assert shipped.exit_code == 0, shipped.stderr
    view = json.loads(shipped.stdout)
    assert view["terminal"]["serial_number"] == "SN0002" and view["terminal"]["state"] == "shipped"
    assert view["deposit"] == {**view["deposit"], "state": "held", "amount_fen": 9900, "qualifying_volume_fen": 0,
                               "threshold_fen": 1_000_000, "deadline": None}

    batch = tmp_path / "batch.csv"
    batch.write_bytes(ledger.csv([ledger.txn("SN0002", SHIPPED_AT + timedelta(days=1), 1_000_000)]))
    ledger.now = SHIPPED_AT + timedelta(days=1, hours=1)  # the batch arrives after its transaction
    first = json.loads(onboard("transactions", "import", str(batch), "--json").stdout)
    again = json.loads(onboard("transactions", "import", str(batch), "--json").stdout)
    assert (first["new"], again["new"], again["duplicate_batch"]) == (1, 0, True)

    ledger.sweep(SHIPPED_AT + timedelta(days=2))
    report = onboard("deposits", "report", "--as-of", "2026-01-08T10:00:00+08:00", "--json")
    assert json.loads(report.stdout)["deposits"]["refunded"] == {"count": 1, "amount_fen": 9900}
    human = onboard("deposits", "report", "--as-of", "2026-01-08T10:00:00+08:00")
    assert human.exit_code == 0 and "consistent" in human.stdout


@pytest.mark.parametrize(("args", "message"), [
    (("terminals", "add", "SN0001", "--model", "Z9"), "no deposit policy for device model 'Z9'"),
    (("terminals", "add", "S N", "--model", "P2"), "must be 3 to 40 letters"),
    (("ship", "APP-NOPE0000"), "no application APP-NOPE0000"),
    (("deposits", "report", "--as-of", "2026-01-08T10:00:00"), "needs a UTC offset"),
    (("transactions", "import", "/nonexistent/batch.csv"), "No such file or directory"),
])
def test_bad_input_is_one_line_on_stderr_and_exit_2(onboard, args, message):
    result = onboard(*args, "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_a_rejected_batch_names_its_lines(ledger, onboard, tmp_path):
    ledger.shipped("SN0001")
    batch = tmp_path / "bad.csv"
    rows = [ledger.txn("SN0001", SHIPPED_AT, 100), ledger.txn("SN0001", SHIPPED_AT, 100, kind="chargeback")]
    batch.write_bytes(ledger.csv(rows))
    result = onboard("transactions", "import", str(batch), "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert "bad.csv: rejected, nothing imported: line 3: kind: 'chargeback'" in result.stderr
    assert ledger.count("transactions") == 0


def test_staff_list_batches_void_one_see_quarantine_and_a_deposit_explained(ledger, tmp_path):
    from onboarding.cli.main import app as onboard_app

    runner = CliRunner()

    def onboard(*args):
        result = runner.invoke(onboard_app, list(args))
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    application = ledger.shipped("SN0001")
    activated = SHIPPED_AT + timedelta(days=1)
    batch = ledger.import_rows([ledger.txn("SN0001", activated, 1000),
                                ledger.txn("SN0001", activated, 3000, channel="qr")]).batch_id
    ledger.sweep(activated + timedelta(hours=1))
    ledger.now = activated + timedelta(hours=2)
    assert [(b["batch_id"], b["rows"], b["in_ledger"], b["voided"]) for b in onboard("transactions", "batches",
                                                                                        "--json")] == [
        (batch, 2, 2, False)]
    explained = onboard("deposits", "explain", application, "--json")
    assert [(t["counts"], t["reason"], t["activated_terminal"]) for t in explained["transactions"]] == [
        ("adds", "counts", True), ("no", "channel_not_counted", False)]
    assert explained["transactions"][1]["why_zh"] == "该支付方式不计入此机型的交易额"
    assert onboard("terminals", "quarantined", "--json") == []

    voided = onboard("transactions", "void", batch, "--reason", "duplicate export", "--json")
    assert (voided["voided"], voided["void_reason"], voided["voided_by"].startswith("staff:")) == (
        True, "duplicate export", True)
    assert voided["recounted"][0]["volume_after_fen"] == 0
    human = runner.invoke(onboard_app, ["transactions", "void", batch, "--reason", "again"])
    assert human.exit_code == 0 and "already voided" in human.stdout
    unknown = runner.invoke(onboard_app, ["transactions", "void", "BAT-NOPE", "--reason", "x", "--json"])
    assert (unknown.exit_code, unknown.stdout, unknown.stderr) == (2, "", "error: no batch BAT-NOPE\n")
