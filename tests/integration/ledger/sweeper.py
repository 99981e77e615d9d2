"""One sweeping process for the concurrency test. For each AS_OF in turn: say ready, wait for the starting
signal, sweep, write the report — so two of these start every round at the same moment.

Usage: python sweeper.py DIR NAME AS_OF... (the database comes from ONBOARD_DATABASE_URL)
Files: DIR/ready-<round>-<NAME>, DIR/go-<round> (written by the test), DIR/report-<round>-<NAME>.json
"""
import json
import sys
import time
from datetime import datetime
from pathlib import Path

from onboarding.bootstrap import get_services
from onboarding.service.deposits import sweep_ledger


def main(directory: Path, name: str, rounds: list[datetime]) -> None:
    services = get_services()
    with services.uow() as uow:  # connect and check migrations before the start line, not after it
        uow.ledger.get_terminal("warm-up")
    for number, as_of in enumerate(rounds):
        (directory / f"ready-{number}-{name}").touch()
        while not (directory / f"go-{number}").exists():
            time.sleep(0.001)
        report = sweep_ledger(services, as_of).to_dict()
        partial = directory / f".report-{number}-{name}.json"
        partial.write_text(json.dumps(report))
        partial.rename(directory / f"report-{number}-{name}.json")  # the test sees the file only when complete


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], [datetime.fromisoformat(value) for value in sys.argv[3:]])
