"""`onboard keys rotate`: after it, the newest key alone opens every encrypted value."""
from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from onboarding.adapters.encryption import UnreadableCiphertext
from onboarding.service.keys import rotate_keys
from security_world import EVERY_SEALED_VALUE, new_key, read_every_sealed_value, with_every_sealed_value

ROTATED_COLUMNS = {"applications.legal_name", "applications.id_number", "applications.phone",
                   "applications.settlement_holder_name", "applications.settlement_number", "documents.fields",
                   "ocr_readings.reading", "terminals.registration_number", "terminals.settlement_account",
                   "upload_links.sealed_token", "outbox.recipient", "outbox.body", "document files"}


def test_rows_sealed_with_an_old_key_open_with_the_new_key_alone_after_rotation(world):
    old, new = world.keys[0], new_key()
    application_id = with_every_sealed_value(world, world.services([old]))
    with pytest.raises(UnreadableCiphertext):  # not vacuous: the new key alone cannot read them yet
        read_every_sealed_value(world.services([new]), application_id)
    assert read_every_sealed_value(world.services([new, old]), application_id) == EVERY_SEALED_VALUE

    report = rotate_keys(world.services([new, old]), chunk_size=2)

    assert {name for name, count in report.resealed.items() if count} == ROTATED_COLUMNS
    assert report.changed_meanwhile == 0
    assert read_every_sealed_value(world.services([new]), application_id) == EVERY_SEALED_VALUE
    with pytest.raises(UnreadableCiphertext):
        read_every_sealed_value(world.services([old]), application_id)
    tokens = world.raw("SELECT id_number FROM applications") + world.raw("SELECT reading FROM ocr_readings")
    assert all(Fernet(new.encode()).decrypt(str(t).encode()) for (t,) in tokens)


def test_a_second_rotation_is_harmless(world):
    old, new = world.keys[0], new_key()
    application_id = with_every_sealed_value(world, world.services([old]))
    rotate_keys(world.services([new, old]))
    rotate_keys(world.services([new]))
    assert read_every_sealed_value(world.services([new]), application_id) == EVERY_SEALED_VALUE


def test_a_value_no_configured_key_opens_stops_the_rotation_with_its_name(world):
    application_id = with_every_sealed_value(world, world.services([new_key()]))
    with pytest.raises(UnreadableCiphertext, match="applications"):
        rotate_keys(world.services([new_key()]))
    assert application_id


def test_keys_rotate_command(world, monkeypatch: pytest.MonkeyPatch):
    import typer

    from onboarding.bootstrap import reset_services
    from onboarding.cli.security_commands import keys_app

    old, new = world.keys[0], new_key()
    application_id = with_every_sealed_value(world, world.services([old]))
    monkeypatch.setenv("ONBOARD_HOME", str(world.home))
    monkeypatch.setenv("ONBOARD_DATABASE_URL", world.database_url)
    monkeypatch.setenv("ONBOARD_SECRET_KEYS", json.dumps([new, old]))
    app = typer.Typer()
    app.add_typer(keys_app, name="keys")
    reset_services()
    try:
        result = CliRunner().invoke(app, ["keys", "rotate", "--json"])
    finally:
        reset_services()
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["total"] >= len(ROTATED_COLUMNS)
    assert read_every_sealed_value(world.services([new]), application_id) == EVERY_SEALED_VALUE


def test_keys_rotate_without_the_old_key_fails_with_one_line(world, monkeypatch: pytest.MonkeyPatch):
    import typer

    from onboarding.bootstrap import reset_services
    from onboarding.cli.security_commands import keys_app

    with_every_sealed_value(world, world.services())
    monkeypatch.setenv("ONBOARD_HOME", str(world.home))
    monkeypatch.setenv("ONBOARD_DATABASE_URL", world.database_url)
    monkeypatch.setenv("ONBOARD_SECRET_KEYS", json.dumps([new_key()]))
    app = typer.Typer()
    app.add_typer(keys_app, name="keys")
    reset_services()
    try:
        result = CliRunner().invoke(app, ["keys", "rotate"])
    finally:
        reset_services()
    assert result.exit_code == 2 and "opens with none of the configured keys" in result.output
