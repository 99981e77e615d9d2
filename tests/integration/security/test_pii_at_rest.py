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


def test_findings_requests_messages_and_files_hold_no_pii_at_rest_and_rotate(world, monkeypatch: pytest.MonkeyPatch):
    """Round 2: a submission whose name differs from the ID card's gets findings quoting both names, a request
    and messages to the phone; none of it is readable in the database or the document files without the keys,
    `show --reveal` still shows it, and after `keys rotate` the newest key alone opens all of it."""
    from documents.envelope import is_sealed
    from onboarding.bootstrap import reset_services
    from onboarding.cli.main import app
    from onboarding.service.keys import rotate_keys
    from security_world import new_key

    services = world.services()
    sample = sample_application(22, "small_micro", "name_mismatch", as_of=services.clock().date())
    # Two characters off, so the mismatch is certain and goes to the merchant (one off would go to staff).
    payload = {**sample.payload, "legal_name": "欧阳明华"}
    application_id = submit_application(services, parse_application(payload),
                                        [UploadedFile(t, data) for t, data in sample.documents.items()], actor="test")
    assert run_checks(services, application_id) == "needs_documents"
    pii = {"name on the ID card": sample.identity.name, "name as typed": payload["legal_name"],
           "phone": payload["phone"], "id_number": payload["id_number"]}
    assert world.raw("SELECT count(*) FROM outbox WHERE application_id = :a", a=application_id)[0][0] >= 1

    stored = _stored_text(world)
    for label, value in pii.items():
        assert value not in stored, f"{label} stored in clear text"
    files = [p.read_bytes() for p in services.settings.documents_dir.rglob("*") if p.is_file()]
    assert len(files) == len(sample.documents) and all(is_sealed(f) for f in files)
    assert not any(data[200:264] in f for data in sample.documents.values() for f in files)

    # What goes to Prefect's own database: the artifact flows/onboard.py publishes for this application.
    from onboarding.service.summary import summary_markdown
    from onboarding.service.views import application_view

    artifact = summary_markdown(application_view(services, application_id))
    for label, value in {**pii, "home address": sample.identity.home_address,
                         "birth date": sample.identity.birth_date.isoformat()}.items():
        assert value not in artifact, f"{label} in the Prefect artifact"
    assert "name_mismatch" in artifact

    old, new = world.keys[0], new_key()
    report = rotate_keys(world.services([new, old]))
    assert report.resealed["decisions.deficiencies"] >= 1 and report.resealed["document files"] == len(files)

    monkeypatch.setenv("ONBOARD_HOME", str(world.home))
    monkeypatch.setenv("ONBOARD_DATABASE_URL", world.database_url)
    monkeypatch.setenv("ONBOARD_SECRET_KEYS", json.dumps([new]))  # the old key is gone
    reset_services()
    try:
        revealed = CliRunner().invoke(app, ["show", application_id, "--reveal", "--reason", "test: at rest",
                                            "--json"])
    finally:
        reset_services()
    assert revealed.exit_code == 0, revealed.output
    view = json.loads(revealed.stdout)
    assert sample.identity.name in json.dumps(view["deficiencies"], ensure_ascii=False)
    assert {d["code"] for d in view["deficiencies"]} >= {"name_mismatch"}
    stored_files = world.services([new]).blobs
    assert all(stored_files.get(d["sha256"]) for d in view["documents"])
