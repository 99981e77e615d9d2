"""Migration 0018 on a database that already holds findings, requests and messages (SQLite and PostgreSQL)."""
from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from onboarding.adapters.database import MIGRATIONS_DIR
from onboarding.adapters.encryption import sealer_for_keys

KEY = "Jk8oR3B1ym2z9GR5q2yq1qkq3o1Yq0dZQ0S8y1mJ0lE="
NAME, PHONE = "胡春燕", "13912345678"
FINDING = {"code": "NAME_MISMATCH", "document_type": "id_card_front", "message_en": f"The card says {NAME}",
           "evidence": {"ocr_name": NAME}}


def _alembic(url: str, action, revision: str) -> None:
    engine = sa.create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            config.attributes["sealer"] = sealer_for_keys((KEY,))
            action(config, revision)
    finally:
        engine.dispose()


def _rows_before_0018(connection, sealer) -> None:
    connection.execute(sa.text(
        "INSERT INTO applications (id, merchant_type, legal_name, id_number, phone, email, business_name, "
        "business_address, settlement_holder_name, settlement_number, settlement_bank, device_model, state, "
        "state_changed_at, created_at, version, waivers) VALUES ('APP-OLD00001', 'small_micro', :s, :s, :s, "
        "NULL, 'shop', 'addr', :s, :s, 'bank', 'P2', 'needs_documents', NULL, '2026-03-01 08:00:00', 1, '[]')"),
        {"s": sealer.seal("x")})
    connection.execute(sa.text(
        "INSERT INTO decisions (application_id, outcome, deficiencies, warnings, rules_version, ocr_engine, "
        "fingerprint, decided_at, decided_by) VALUES ('APP-OLD00001', 'needs_documents', :d, :w, 'r1', 'ocr', "
        "'f', '2026-03-01 09:00:00', 'engine')"), {"d": json.dumps([FINDING]), "w": json.dumps([FINDING])})
    connection.execute(sa.text(
        "INSERT INTO supplementary_requests (application_id, round_number, status, created_at, due_at, items, "
        "reminders_sent) VALUES ('APP-OLD00001', 1, 'open', '2026-03-01 09:00:00', '2026-03-08 09:00:00', :i, "
        "'[]')"), {"i": json.dumps([FINDING])})
    connection.execute(sa.text(
        "INSERT INTO outbox (idempotency_key, application_id, channel, recipient, subject, body, created_at, "
        "attempts) VALUES ('APP-OLD00001:request:sms', 'APP-OLD00001', 'sms', :p, 'subject', :b, "
        "'2026-03-01 09:00:00', 0)"), {"p": PHONE, "b": f"{NAME}, please upload"})


def _stored(connection) -> str:
    values = [*connection.execute(sa.text("SELECT deficiencies, warnings FROM decisions")).one(),
              connection.execute(sa.text("SELECT items FROM supplementary_requests")).scalar_one(),
              *connection.execute(sa.text("SELECT recipient, body FROM outbox")).one()]
    return json.dumps([v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in values],
                      ensure_ascii=False)


def test_existing_findings_requests_and_messages_are_encrypted_and_codes_kept(database_url):
    sealer = sealer_for_keys((KEY,))
    _alembic(database_url, command.upgrade, "0014")
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            _rows_before_0018(connection, sealer)
        _alembic(database_url, command.upgrade, "head")
        with engine.begin() as connection:
            stored = _stored(connection)
            assert NAME not in stored and PHONE not in stored
            deficiencies, codes = connection.execute(sa.text("SELECT deficiencies, deficiency_codes FROM decisions")).one()
            assert json.loads(sealer.open(deficiencies)) == [FINDING]
            assert (json.loads(codes) if isinstance(codes, str) else codes) == [
                {"code": "NAME_MISMATCH", "document_type": "id_card_front"}]
            recipient = connection.execute(sa.text("SELECT recipient FROM outbox")).scalar_one()
            assert sealer.open(recipient) == PHONE

        _alembic(database_url, command.downgrade, "0014")  # and back: the values are plaintext again
        with engine.begin() as connection:
            assert NAME in _stored(connection) and PHONE in _stored(connection)
        _alembic(database_url, command.upgrade, "head")  # the database is left as the fixture expects it
    finally:
        engine.dispose()
