"""`python -m tests.support.crashing_cli POINT N -- onboard args…`: the real CLI, SIGKILLed at a named point.

A point is a function entered or left; the kill fires on its Nth call, in whichever thread makes it, so
the process dies exactly as a worker would on a power cut: no cleanup, no exception handlers, no atexit.
"""
from __future__ import annotations

import functools
import importlib
import os
import signal
import sys

POINTS: dict[str, tuple[str, str, str]] = {
    # onboarding flow
    "after-submit-commit": ("onboarding.service.submission", "submit_application", "exit"),
    # files written under their staging names, rows not committed / rows committed, files not yet moved
    "after-files-staged": ("onboarding.service.submission", "_store_blobs", "exit"),
    "before-files-published": ("onboarding.service.submission", "_publish_blobs", "enter"),
    # OCR runs in worker processes: the CLI dies with a read handed to them and not yet stored.
    "during-ocr": ("onboarding.service.reading", "ocr_submit", "exit"),
    "after-ocr": ("onboarding.service.reading", "store_reading", "exit"),
    "after-extract": ("onboarding.service.reading", "extract_document", "exit"),
    "before-decision": ("onboarding.service.checking", "record_decision", "enter"),
    "after-decision": ("onboarding.service.checking", "record_decision", "exit"),
    "before-send": ("onboarding.notifications.senders", "FileSender.send", "enter"),
    "after-send": ("onboarding.notifications.senders", "FileSender.send", "exit"),
    "after-terminal-assigned": ("onboarding.service.terminals", "assign_terminal", "exit"),
    # ledger sweep: refunds decided, their instructions and messages being written, nothing committed yet
    "during-refund": ("onboarding.adapters.ledger_sweep_sql", "LedgerSweepSql.record_deposit_decisions", "exit"),
    "during-refund-notices": ("onboarding.service.deposits", "deposit_notices", "enter"),
}


def arm(point: str, nth: int) -> None:
    module_name, qualname, when = POINTS[point]
    owner = importlib.import_module(module_name)
    *parents, name = qualname.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    original = getattr(owner, name)
    calls = {"n": 0}

    @functools.wraps(original)
    def crashing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == nth and when == "enter":
            os.kill(os.getpid(), signal.SIGKILL)
        result = original(*args, **kwargs)
        if calls["n"] == nth and when == "exit":
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(owner, name, crashing)


def main() -> None:
    point, nth, separator, *cli_args = sys.argv[1:]
    assert separator == "--", "usage: crashing_cli POINT N -- ARGS…"
    arm(point, int(nth))
    from onboarding.cli.main import app

    app(cli_args, prog_name="onboard")


if __name__ == "__main__":
    main()
