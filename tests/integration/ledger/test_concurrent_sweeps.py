"""Two processes sweeping one PostgreSQL database at the same moment still decide each deposit once."""
import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from ledger_world import SHIPPED_AT

# The shared `database_url` fixture, on PostgreSQL only (it skips when ONBOARD_TEST_POSTGRES_URL is unset).
pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)]
SWEEPER = Path(__file__).with_name("sweeper.py")
PER_GROUP = 15
DAY = lambda n: SHIPPED_AT + timedelta(days=n)  # noqa: E731


class TwoSweepers:
    def __init__(self, database_url: str, directory: Path, rounds: list) -> None:
        self.directory = directory
        env = {**os.environ, "ONBOARD_DATABASE_URL": database_url, "ONBOARD_HOME": str(directory / "home")}
        self.processes = [
            subprocess.Popen([sys.executable, str(SWEEPER), str(directory), name, *(r.isoformat() for r in rounds)],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for name in ("a", "b")]

    def _wait_for(self, *names: str) -> None:
        deadline = time.monotonic() + 60
        while not all((self.directory / name).exists() for name in names):
            for process in self.processes:
                assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, f"sweepers never wrote {names}"
            time.sleep(0.005)

    def sweep(self, number: int) -> list[dict]:
        self._wait_for(f"ready-{number}-a", f"ready-{number}-b")
        (self.directory / f"go-{number}").touch()
        self._wait_for(f"report-{number}-a.json", f"report-{number}-b.json")
        return [json.loads((self.directory / f"report-{number}-{n}.json").read_text()) for n in ("a", "b")]

    def finish(self) -> None:
        for process in self.processes:
            _, err = process.communicate(timeout=60)
            assert process.returncode == 0, err


def test_concurrent_sweeps_refund_and_forfeit_each_deposit_exactly_once(ledger, database_url, tmp_path):
    groups = {name: [ledger.shipped(f"{name}{n:04d}") for n in range(PER_GROUP)] for name in ("early", "late", "short")}
    rows = []
    for name, reached_on in (("early", 3), ("late", 20), ("short", None)):
        for n in range(PER_GROUP):
            rows.append(ledger.txn(f"{name}{n:04d}", DAY(1), 1000))  # activation
            rows.append(ledger.txn(f"{name}{n:04d}", DAY(reached_on or 10), 999_000 if reached_on else 500_000))
    ledger.import_rows(rows)

    # Each round gives both sweepers the same work at the same moment: one refund or forfeit per deposit.
    rounds = [(DAY(4), PER_GROUP, 0), (DAY(21), 2 * PER_GROUP, 0), (DAY(62), 2 * PER_GROUP, PER_GROUP)]
    sweepers = TwoSweepers(database_url, tmp_path, [as_of for as_of, _, _ in rounds])
    for number, (_, refunded, forfeited) in enumerate(rounds):
        reports = sweepers.sweep(number)
        assert sum(r["refunded"] + r["forfeited"] for r in reports) == PER_GROUP
        assert ledger.count("refund_instructions") == ledger.count("deposits", state="refunded") == refunded
        assert ledger.count("deposits", state="forfeited") == forfeited
    sweepers.finish()

    assert ledger.count("audit_events", to_state="active") == 3 * PER_GROUP
    assert ledger.count("audit_events", action="deposit_refunded") == 2 * PER_GROUP
    assert ledger.count("audit_events", action="deposit_forfeited") == PER_GROUP
    for app in groups["early"] + groups["late"]:
        assert ledger.count("outbox", idempotency_key=f"deposit:{app}:refunded:sms") == 1
    for app in groups["short"]:
        assert ledger.count("outbox", idempotency_key=f"deposit:{app}:forfeited:sms") == 1
