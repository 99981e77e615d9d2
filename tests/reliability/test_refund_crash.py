"""SIGKILL `onboard sweep` while it decides refunds: after another sweep, each deposit is refunded once,
with one instruction and one message per channel."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from onboarding.bootstrap import get_services, reset_services

LEDGER_DIR = Path(__file__).resolve().parents[1] / "integration" / "ledger"
SHIPPED_AT = datetime(2026, 1, 5, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def ledger(onboard_home, monkeypatch):
    sys.path.insert(0, str(LEDGER_DIR))
    from ledger_world import Ledger

    services = get_services()
    world = Ledger(services)
    services.clock = lambda: world.now
    yield world
    sys.path.remove(str(LEDGER_DIR))
    reset_services()


@pytest.mark.parametrize("point", ["during-refund", "during-refund-notices", "before-send", "after-send"])
def test_a_sweep_killed_mid_refund_refunds_each_deposit_exactly_once(ledger, onboard_home, point):
    activated = SHIPPED_AT + timedelta(days=2)
    applications = []
    for n in range(3):
        serial = f"SN{n:04d}"
        applications.append(ledger.shipped(serial))
        ledger.import_rows([ledger.txn(serial, activated, 1000), ledger.txn(serial, activated + timedelta(days=5),
                                                                               1_200_000)])
    as_of = (activated + timedelta(days=61)).isoformat()
    env = {**os.environ, "ONBOARD_HOME": str(onboard_home), "ONBOARD_OUTBOX_LEASE_SECONDS": "1"}
    root = Path(__file__).resolve().parents[2]
    killed = subprocess.run([sys.executable, "-m", "tests.support.crashing_cli", point, "1", "--", "sweep",
                             "--as-of", as_of, "--json"], env=env, cwd=root, capture_output=True, text=True)
    assert killed.returncode == -9, killed.stderr[-1500:]
    import time

    time.sleep(1.2)  # the killed sender's claim lapses
    for _ in range(2):  # the recovery sweep, and one more that must find nothing left to do
        done = subprocess.run([sys.executable, "-m", "onboarding.cli.main", "sweep", "--as-of", as_of, "--json"],
                              env=env, cwd=root, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-1500:]
    for application_id in applications:
        assert ledger.count("refund_instructions", idempotency_key=f"refund:{application_id}") == 1
        for channel in ("sms", "email"):
            key = f"deposit:{application_id}:refunded:{channel}"
            assert ledger.count("outbox", idempotency_key=key) == 1
        with ledger.services.uow() as uow:
            assert all(m["sent_at"] is not None for m in uow.outbox.for_application(application_id))
    assert ledger.count("deposits", state="refunded") == 3
