"""Migration 0006 on a database that already holds plaintext: encrypts it with the configured keys."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from onboarding.adapters.database import MIGRATIONS_DIR, engine_for, session_factory
from onboarding.adapters.encryption import sealer_for_keys
from onboarding.adapters.unit_of_work import UnitOfWork
from security_world import CARD_NUMBER, ID_NUMBER

FIELDS = {"id_number": {"value": ID_NUMBER, "confidence": 0.97}}
READING = {"engine": "e", "pipeline_version": "p", "passes": [{"name": "full", "lines": [
    {"text": f"公民身份号码 {ID_NUMBER}", "confidence": 0.9, "box": None}]}]}


def _head() -> str:
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def _alembic(url: str, action, revision: str, sealer=None) -> None:
    engine = sa.create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            config.attributes["sealer"] = sealer
            action(config, revision)
    finally:
        engine.dispose()


def _plaintext_rows_at_0005(world) -> None:
    _alembic(world.database_url, command.upgrade, "0005")
    at = "2026-03-01 08:00:00"
    world_sql = [
        ("INSERT INTO applications (id, merchant_type, legal_name, id_number, phone, email, business_name, "
         "business_address, settlement_holder_name, settlement_number, settlement_bank, device_model, state, "
         "state_changed_at, created_at, version, waivers) VALUES ('APP-OLD00001', 'small_micro', '王昌良', :id, "
         "'13800138000', NULL, '昌良小吃店', '广东省江门市', '王昌良', :card, '工商银行', 'P2', 'approved', :at, :at, 1, '[]')"),
        ("INSERT INTO documents (id, application_id, document_type, sha256, size_bytes, media_type, uploaded_at, "
         "uploaded_by, fields) VALUES ('DOC-OLD0000001', 'APP-OLD00001', 'id_card_front', :sha, 1, 'image/png', :at, "
         "'merchant', :fields)"),
        ("INSERT INTO ocr_readings (sha256, document_type, engine, pipeline_version, reading, seconds, created_at) "
         "VALUES (:sha, 'id_card_front', 'e', 'p', :reading, 0.5, :at)"),
        ("INSERT INTO terminals (serial_number, model, state, application_id, added_at, registration_number, "
         "settlement_account) VALUES ('SN-OLD-1', 'P2', 'assigned', 'APP-OLD00001', :at, :id, :card)"),
    ]
    engine = sa.create_engine(world.database_url)
    try:
        with engine.begin() as connection:
            for sql in world_sql:
                connection.execute(sa.text(sql), {"id": ID_NUMBER, "card": CARD_NUMBER, "at": at, "sha": "a" * 64,
                                                  "fields": json.dumps(FIELDS), "reading": json.dumps(READING)})
    finally:
        engine.dispose()


def test_existing_plaintext_is_encrypted_and_reads_back_through_the_mapping(world):
    _plaintext_rows_at_0005(world)
    sealer = sealer_for_keys(tuple(world.keys))
    engine_for(world.database_url, sealer)  # migrates to head with these keys

    stored = world.raw("SELECT id_number, settlement_number, legal_name FROM applications")[0]
    stored += world.raw("SELECT fields FROM documents")[0] + world.raw("SELECT reading FROM ocr_readings")[0]
    stored += world.raw("SELECT registration_number, settlement_account FROM terminals")[0]
    assert all(str(value).startswith("gAAAAA") for value in stored)
    assert world.raw("SELECT purged_at FROM documents") == [(None,)]

    with UnitOfWork(session_factory(world.database_url, sealer)) as uow:
        application = uow.applications.get("APP-OLD00001")
        assert (application.id_number, application.settlement_number, application.legal_name) == (
            ID_NUMBER, CARD_NUMBER, "王昌良")
        assert application.documents[0].fields == FIELDS
        assert uow.ocr_readings.get("a" * 64, "id_card_front", "e", "p").model_dump(mode="json") == READING
        assert uow.ledger.terminal_for_application("APP-OLD00001").binding is None  # no merchant code yet
    assert world.raw("SELECT registration_number FROM terminals")[0][0] != ID_NUMBER


def test_without_keys_the_migration_refuses_and_leaves_the_plaintext_schema(world):
    _plaintext_rows_at_0005(world)
    with pytest.raises(RuntimeError, match="needs the keys"):
        _alembic(world.database_url, command.upgrade, "head")
    assert world.raw("SELECT version_num FROM alembic_version") == [("0005",)]
    assert world.raw("SELECT id_number FROM applications") == [(ID_NUMBER,)]
    engine_for(world.database_url, sealer_for_keys(tuple(world.keys)))  # with the keys it goes through
    assert world.raw("SELECT version_num FROM alembic_version") == [(_head(),)]


def test_downgrade_decrypts_again(world):
    _plaintext_rows_at_0005(world)
    sealer = sealer_for_keys(tuple(world.keys))
    _alembic(world.database_url, command.upgrade, "head", sealer)
    assert world.raw("SELECT id_number FROM applications") != [(ID_NUMBER,)]
    _alembic(world.database_url, command.downgrade, "0005", sealer)
    assert world.raw("SELECT id_number, settlement_number FROM applications") == [(ID_NUMBER, CARD_NUMBER)]
    assert json.loads(world.raw("SELECT fields::text FROM documents" if "postgresql" in world.database_url
                                else "SELECT fields FROM documents")[0][0]) == FIELDS
    engine_for(world.database_url, sealer)  # and up again
    assert world.raw("SELECT id_number FROM applications") != [(ID_NUMBER,)]
