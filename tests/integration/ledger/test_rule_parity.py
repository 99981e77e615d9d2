"""Every ledger rule, from one table of cases, on SQLite and on PostgreSQL: the rules are SQL
(`onboarding.adapters.ledger_rules_sql`, no Python copy), so this table is where they are pinned down.

Each case is one terminal, shipped so that the one sweep of the module falls `swept_after` its shipping; its
transactions are given relative to shipping. After the sweep the table says the terminal's state, when it was
activated, its deposit's state and volume, its quarantine, and the reason each transaction got from the rules
(as staff see it in the explanation). Policies: the packaged P2 (card only; ¥10 activates within 30 days;
¥10,000 within 60 days of activation; dormant after 12 months) and Q1 (QR counts; ¥1 activates; ¥5,000).
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from ledger_world import Ledger

from onboarding.domain.ledger_rules import months_before

SWEEP = datetime(2027, 3, 1, 2, 0, tzinfo=timezone.utc)
CUTOFF = months_before(SWEEP, 12)  # P2's dormancy cutoff at SWEEP
DAY, HOUR, MINUTE, SECOND = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1), timedelta(seconds=1)
# Ceilings and policies for the module's sweep, lower than those the rows were imported under ("lowered since").
SWEEP_MAX_TRANSACTION_FEN, SWEEP_MAX_TERMINAL_FEN = 2_000_000, 5_000_000


@dataclass(frozen=True)
class Case:
    name: str
    swept_after: timedelta  # the sweep, after shipping
    rows: tuple  # (after shipping, fen, kind, channel, reason the rules give it)
    state: str
    deposit: str = "held"
    volume: int = 0
    activated_after: timedelta | None = None
    flagged: bool = False
    quarantine: str | None = None
    model: str = "P2"
    sn: str = field(default="", compare=False)


CASES = [
    Case("first card sale of the minimum activates; a smaller one, a QR sale and a refund before it do not",
         3 * DAY, ((DAY, 999, "sale", "card_chip", "before_activation"),
                   (DAY + HOUR, 50_000, "sale", "qr", "before_activation"),
                   (DAY + 2 * HOUR, 50_000, "refund", "card_chip", "before_activation"),
                   (DAY + 3 * HOUR, 1000, "sale", "card_chip", "counts"),
                   (2 * DAY, 5000, "sale", "card_swipe", "counts")),
         "active", volume=6000, activated_after=DAY + 3 * HOUR),
    Case("a sale in the last second of the activation window activates",
         31 * DAY, ((30 * DAY - SECOND, 1000, "sale", "card_chip", "counts"),),
         "active", volume=1000, activated_after=30 * DAY - SECOND),
    Case("a sale at the activation deadline does not; the terminal is flagged for staff",
         31 * DAY, ((30 * DAY, 100_000, "sale", "card_chip", "before_activation"),), "shipped", flagged=True),
    Case("a transaction after the moment swept neither activates nor counts yet",
         3 * DAY, ((DAY, 2000, "sale", "card_chip", "counts"), (5 * DAY, 3000, "sale", "card_chip", "not_yet")),
         "active", volume=2000, activated_after=DAY),
    Case("card sales add, refunds, reversals and voids take back, QR does not count on a P2; the threshold "
         "reached before the deadline refunds at once",
         10 * DAY, ((DAY, 500_000, "sale", "card_chip", "counts"), (2 * DAY, 600_000, "sale", "card_swipe", "counts"),
                    (3 * DAY, 50_000, "refund", "card_chip", "takes_back"),
                    (4 * DAY, 20_000, "reversal", "card_contactless", "takes_back"),
                    (5 * DAY, 30_000, "void", "card_chip", "takes_back"),
                    (6 * DAY, 700_000, "sale", "qr", "channel_not_counted"),
                    (7 * DAY, 100_000, "refund", "qr", "channel_not_counted")),
         "active", deposit="refunded", volume=1_000_000, activated_after=DAY),
    Case("QR counts on a Q1 and its refunds take back; a chip card does not count there",
         10 * DAY, ((DAY, 100, "sale", "qr", "counts"), (2 * DAY, 300_000, "sale", "qr", "counts"),
                    (3 * DAY, 50_000, "refund", "qr", "takes_back"),
                    (4 * DAY, 100_000, "sale", "card_chip", "channel_not_counted")),
         "active", volume=250_100, activated_after=DAY, model="Q1"),
    Case("the threshold reached in the window's last minute refunds; the deadline itself is outside",
         61 * DAY + HOUR, ((DAY, 1000, "sale", "card_chip", "counts"),
                           (61 * DAY - MINUTE, 999_000, "sale", "card_chip", "counts"),
                           (61 * DAY, 5000, "sale", "card_chip", "after_deadline")),
         "active", deposit="refunded", volume=1_000_000, activated_after=DAY),
    Case("one fen short when the window closes forfeits",
         61 * DAY, ((DAY, 1000, "sale", "card_chip", "counts"),
                    (61 * DAY - MINUTE, 998_999, "sale", "card_chip", "counts")),
         "active", deposit="forfeited", volume=999_999, activated_after=DAY),
    Case("one fen short a second before the deadline stays held",
         61 * DAY - SECOND, ((DAY, 1000, "sale", "card_chip", "counts"),
                             (61 * DAY - MINUTE, 998_999, "sale", "card_chip", "counts")),
         "active", volume=999_999, activated_after=DAY),
    Case("twelve calendar months without a transaction suspend the terminal",
         SWEEP - CUTOFF + 10 * DAY, ((DAY, 1000, "sale", "card_chip", "counts"),
                                     (10 * DAY, 500, "sale", "card_chip", "counts")),
         "suspended", deposit="forfeited", volume=1500, activated_after=DAY),
    Case("a transaction a minute later keeps it active",
         SWEEP - CUTOFF + 10 * DAY, ((DAY, 1000, "sale", "card_chip", "counts"),
                                     (10 * DAY + MINUTE, 500, "sale", "card_chip", "counts")),
         "active", deposit="forfeited", volume=1500, activated_after=DAY),
    Case("a transaction dated after the moment swept does not keep a terminal awake",
         SWEEP - CUTOFF + 10 * DAY, ((DAY, 1000, "sale", "card_chip", "counts"),
                                     (10 * DAY, 500, "sale", "card_chip", "counts"),
                                     (SWEEP - CUTOFF + 11 * DAY, 700, "sale", "card_chip", "not_yet")),
         "suspended", deposit="forfeited", volume=1500, activated_after=DAY),
    Case("a transaction above the per-transaction ceiling quarantines the terminal: nothing is decided for it",
         3 * DAY, ((DAY, 3_000_000, "sale", "card_chip", "before_activation"),), "shipped",
         quarantine="a transaction of 3000000 fen is above the per-transaction ceiling of 2000000 fen"),
    Case("transactions adding up above the per-terminal ceiling quarantine it",
         3 * DAY, ((DAY, 1_900_000, "sale", "card_chip", "before_activation"),
                   (DAY + HOUR, 1_900_000, "sale", "card_chip", "before_activation"),
                   (DAY + 2 * HOUR, 1_900_000, "sale", "card_chip", "before_activation")), "shipped",
         quarantine="its transactions add up to 5700000 fen, above the per-terminal ceiling of 5000000 fen"),
    Case("a device model without a policy quarantines it", 3 * DAY,
         ((DAY, 50_000, "sale", "card_chip", "no_policy"),), "shipped", model="P8",
         quarantine="no deposit policy for device model P8"),
]
CASES = [Case(**{**case.__dict__, "sn": f"PAR{number:03d}"}) for number, case in enumerate(CASES)]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def swept(request, tmp_path_factory):
    """All the cases in one database, swept once at SWEEP with the lowered ceilings and without a P8 policy."""
    from onboarding.bootstrap import get_services, reset_services

    home = tmp_path_factory.mktemp(f"parity-{request.param}")
    with pytest.MonkeyPatch.context() as env:
        url, drop = _database(request.param, home)
        env.setenv("ONBOARD_HOME", str(home / "home"))
        env.setenv("ONBOARD_DATABASE_URL", url)
        env.delenv("ONBOARD_RULES_DIR", raising=False)
        reset_services()
        world = Ledger(get_services())
        world.services.clock = lambda: world.now
        applications = {}
        for case in CASES:
            world.now = SWEEP - case.swept_after
            applications[case.sn] = world.shipped(case.sn, device_model=case.model)
        world.import_rows([world.txn(case.sn, SWEEP - case.swept_after + after, fen, kind, channel)
                           for case in CASES for after, fen, kind, channel, _ in case.rows])
        settings = world.services.settings
        imported_under = (settings.rules_dir, settings.ledger_max_transaction_fen, settings.ledger_max_terminal_fen)
        settings.rules_dir = _rules_without_p8(home)
        settings.ledger_max_transaction_fen, settings.ledger_max_terminal_fen = (SWEEP_MAX_TRANSACTION_FEN,
                                                                                 SWEEP_MAX_TERMINAL_FEN)
        report = world.sweep(SWEEP)
        yield world, applications, report, imported_under
        reset_services()
        if drop:
            drop(url)


def _database(kind: str, home: Path):
    """A SQLite file, or a throw-away schema in the shared PostgreSQL test database (as `database_url` makes)."""
    if kind == "sqlite":
        return f"sqlite:///{home / 'onboard.db'}", None
    import os
    import secrets

    import sqlalchemy as sa

    base = os.environ.get("ONBOARD_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("ONBOARD_TEST_POSTGRES_URL is not set")
    schema = f"t_{secrets.token_hex(6)}"
    engine = sa.create_engine(base)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

    def drop(url: str) -> None:
        from onboarding.adapters.database import engine_for

        engine_for(url).dispose()
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()

    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}", drop


def _rules_without_p8(home: Path) -> Path:
    from rules.ruleset import default_rules_dir

    rules = home / "rules"
    shutil.copytree(default_rules_dir(), rules)
    deposits = (rules / "deposits.yaml").read_text(encoding="utf-8")
    start = deposits.index("  # Smart POS")
    end = deposits.index("  # Small QR-and-tap device")
    (rules / "deposits.yaml").write_text(deposits[:start] + deposits[end:], encoding="utf-8")
    return rules


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_rule(swept, case):
    from onboarding.service.ledger_views import deposit_transactions, terminal_view

    world, applications, _, _ = swept
    application_id = applications[case.sn]
    explained = deposit_transactions(world.services, application_id, as_of=SWEEP)
    terminal, deposit = explained["terminal"], explained["deposit"]
    shipped_at = SWEEP - case.swept_after
    activated_at = None if case.activated_after is None else (shipped_at + case.activated_after)
    assert (terminal["state"], terminal["activation_overdue"]) == (case.state, case.flagged)
    assert terminal["activated_at"] == (activated_at and activated_at.astimezone(_shanghai()).isoformat())
    assert (deposit["state"], deposit["qualifying_volume_fen"]) == (case.deposit, case.volume)
    assert (terminal["quarantine"] or {}).get("reason", "").startswith(case.quarantine or "")
    assert bool(terminal["quarantine"]) == bool(case.quarantine)
    assert [row["reason"] for row in explained["transactions"]] == [reason for *_, reason in case.rows]
    activating = [row["txn_id"] for row in explained["transactions"] if row["activated_terminal"]]
    assert len(activating) == (case.activated_after is not None)
    if case.deposit == "held" and not case.quarantine and case.activated_after is not None:
        assert explained["qualifying_volume_fen"] == case.volume  # the explanation adds up to the sweep's count
    assert terminal_view(world.services, application_id) == terminal


def test_the_sweep_counts_what_the_table_says(swept):
    _, _, report, _ = swept
    decided = [case.deposit for case in CASES]
    assert (report.refunded, report.forfeited) == (decided.count("refunded"), decided.count("forfeited"))
    assert report.suspended == sum(case.state == "suspended" for case in CASES)
    assert report.quarantined == report.quarantined_total == sum(bool(case.quarantine) for case in CASES)
    assert report.activation_overdue_flagged == sum(case.flagged for case in CASES)


def test_quarantine_is_recorded_once_and_lifted_when_the_cause_is_gone(swept):
    """Runs last in the module: it puts the ceilings and policies back and sweeps again."""
    world, applications, _, imported_under = swept
    quarantined = [case for case in CASES if case.quarantine]
    assert world.sweep(SWEEP).quarantined == 0  # the same reasons: no second event
    for case in quarantined:
        assert world.count("audit_events", application_id=applications[case.sn], action="terminal_quarantined") == 1
    settings = world.services.settings
    settings.rules_dir, settings.ledger_max_transaction_fen, settings.ledger_max_terminal_fen = imported_under
    report = world.sweep(SWEEP)
    assert (report.quarantine_lifted, report.quarantined_total) == (len(quarantined), 0)
    assert report.activated == len(quarantined)  # each had an activating sale: decided now, as for any other
    for case in quarantined:
        assert world.count("audit_events", application_id=applications[case.sn],
                           action="terminal_quarantine_lifted") == 1


def _shanghai():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")
