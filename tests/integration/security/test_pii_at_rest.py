"""After a normal submission and onboarding run, no ID or card number is stored in clear text anywhere,
while staff who ask (`onboard show --reveal`) still see them in full."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from documents.samples.applications import sample_application
from onboarding.service.application_input import parse_application
from onboarding.service.submission import UploadedFile, submit_application
from onboarding.service.terminals import add_terminal, ship
from security_world import run_checks


def confirm_follow_up_call(services, application_id: str) -> None:
    from onboarding.service.call_outcomes import record_outcome

    with services.uow() as uow:
        call_id = uow.calls.for_one_application(application_id).id
    record_outcome(services, call_id, "confirmed", "details confirmed", actor="staff:test")


def _submit_and_onboard(world) -> tuple[str, dict]:
    services = world.services()
    sample = sample_application(21, "small_micro", as_of=services.clock().date())
    files = [UploadedFile(t, data) for t, data in sample.documents.items()]
    application_id = submit_application(services, parse_application(sample.payload), files, actor="test")
    add_terminal(services, "SN-PII-0001", sample.payload["device_model"])
    # The OCR pipeline decides between approved and staff review; either way every step has written its rows.
    if run_checks(services, application_id) == "approved":
        confirm_follow_up_call(services, application_id)  # 小微: shipping waits for it (rules/files/aftercare.yaml)
        ship(services, application_id)  # binds the terminal: 小微 registration number = the ID number
    return application_id, sample.payload


def _secrets(payload: dict) -> dict[str, str]:
    return {"id_number": payload["id_number"], "card_number": payload["settlement_account"]["number"]}


def _stored_text(world) -> str:
    """Every row of every table, as the database renders it to text."""
    if world.database_url.startswith("sqlite"):
        path = Path(world.database_url.split("///", 1)[1])
        # The whole file and its write-ahead log, byte for byte: free pages and index pages included.
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*")).decode("latin-1")
    names = [row[0] for row in world.raw(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")]
    return "\n".join(str(row[0]) for name in names for row in world.raw(f'SELECT t::text FROM "{name}" t'))


def test_no_id_or_card_number_is_stored_in_clear_text(world):
    application_id, payload = _submit_and_onboard(world)
    stored = _stored_text(world)
    assert application_id in stored  # the search does see the rows
    for label, value in _secrets(payload).items():
        assert value not in stored, f"{label} stored in clear text"
    ocr_rows = world.raw("SELECT reading FROM ocr_readings")
    assert len(ocr_rows) >= 3 and all(str(r[0]).startswith("gAAAAA") for r in ocr_rows)  # Fernet tokens


def test_show_reveal_shows_them_in_full_and_is_audited(world, monkeypatch: pytest.MonkeyPatch):
    from onboarding.bootstrap import reset_services
    from onboarding.cli.main import app

    application_id, payload = _submit_and_onboard(world)
    monkeypatch.setenv("ONBOARD_HOME", str(world.home))
    monkeypatch.setenv("ONBOARD_DATABASE_URL", world.database_url)
    monkeypatch.setenv("ONBOARD_SECRET_KEYS", json.dumps(world.keys))
    reset_services()
    try:
        runner = CliRunner()
        masked = runner.invoke(app, ["show", application_id, "--json"])
        revealed = runner.invoke(app, ["show", application_id, "--reveal", "--reason", "test: compare with the card", "--json"])
    finally:
        reset_services()
    assert masked.exit_code == revealed.exit_code == 0, masked.output + revealed.output
    for value in _secrets(payload).values():
        assert value not in masked.stdout and value in revealed.stdout
    view = json.loads(revealed.stdout)
    assert view["id_number"] == payload["id_number"]
    assert [e["action"] for e in view["history"]].count("pii_revealed") == 1
    assert len(world.events(world.services(), application_id, "pii_revealed")) == 1


def test_an_engine_without_keys_refuses_encrypted_columns(world):
    from onboarding.adapters.encryption import SealerMissing
    from onboarding.adapters.database import engine_for
    from onboarding.adapters.orm import applications

    services = world.services()
    world.application(services, "submitted")
    keyless = sa.create_engine(world.database_url)  # never registered: has no sealer
    try:
        with keyless.connect() as connection, pytest.raises(SealerMissing):
            connection.execute(sa.select(applications.c.id_number)).all()
    finally:
        keyless.dispose()
    assert engine_for(world.database_url) is not None  # schema work without keys still gets an engine
