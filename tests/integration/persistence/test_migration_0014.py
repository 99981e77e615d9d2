"""Migration 0014 on a database that already holds rows (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from onboarding.adapters.database import MIGRATIONS_DIR
from onboarding.adapters.encryption import sealer_for_keys

KEY = "Jk8oR3B1ym2z9GR5q2yq1qkq3o1Yq0dZQ0S8y1mJ0lE="
DOCUMENT = ("INSERT INTO documents (id, application_id, document_type, sha256, size_bytes, media_type, uploaded_at, "
            "uploaded_by, superseded_at, proposed_for) VALUES (:id, 'APP-OLD00001', 'id_card_back', :sha, 1, "
            "'image/jpeg', :at, 'merchant:link', :superseded, :proposed)")


def _alembic(url: str, revision: str) -> None:
    engine = sa.create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            config.attributes["sealer"] = sealer_for_keys((KEY,))
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def _document(connection, document_id: str, at: str, superseded: str | None = None, proposed: str | None = None):
    connection.execute(sa.text(DOCUMENT), {"id": document_id, "sha": document_id.ljust(64, "0")[:64], "at": at,
                                           "superseded": superseded, "proposed": proposed})


def test_parallel_upload_leftovers_keep_their_newest_document_and_the_index_holds(database_url):
    sealer = sealer_for_keys((KEY,))
    _alembic(database_url, "0012")
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO applications (id, merchant_type, legal_name, id_number, phone, email, business_name, "
            "business_address, settlement_holder_name, settlement_number, settlement_bank, device_model, state, "
            "state_changed_at, created_at, version, waivers) VALUES ('APP-OLD00001', 'small_micro', :s, :s, :s, "
            "NULL, 'shop', 'addr', :s, :s, 'bank', 'P2', 'needs_documents', NULL, '2026-03-01 08:00:00', 1, '[]')"),
            {"s": sealer.seal("x")})
        _document(connection, "DOC-A", "2026-03-01 08:00:00", superseded="2026-03-01 07:00:00")
        for document_id, at in (("DOC-B", "2026-03-02 08:00:00"), ("DOC-C", "2026-03-03 08:00:00"),
                                ("DOC-D", "2026-03-02 08:00:00")):  # three current, as parallel uploads left them
            _document(connection, document_id, at)
        _document(connection, "DOC-P", "2026-03-04 08:00:00", proposed="CHG-1")  # a change request's: not current
    _alembic(database_url, "head")
    try:
        with engine.begin() as connection:
            current = connection.execute(sa.text(
                "SELECT id FROM documents WHERE superseded_at IS NULL AND proposed_for IS NULL")).scalars().all()
            assert current == ["DOC-C"]
            assert connection.execute(sa.text("SELECT superseded_at FROM documents WHERE id = 'DOC-B'")).scalar() \
                == connection.execute(sa.text("SELECT uploaded_at FROM documents WHERE id = 'DOC-C'")).scalar()
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            _document(connection, "DOC-E", "2026-03-05 08:00:00")
        with engine.begin() as connection:  # another proposal beside the current one is allowed
            _document(connection, "DOC-Q", "2026-03-05 08:00:00", proposed="CHG-2")
    finally:
        engine.dispose()
