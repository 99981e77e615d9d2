"""Persistence on a real database: SQLite always, PostgreSQL when ONBOARD_TEST_POSTGRES_URL is set."""
from datetime import datetime, timezone

import pytest
from sqlalchemy.orm.exc import StaleDataError

from onboarding.adapters.database import engine_for, session_factory
from onboarding.adapters.unit_of_work import UnitOfWork
from onboarding.domain.model import Application, DecisionRecord, Document
from onboarding.domain.states import ApplicationState as S

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=timezone.utc)


def new_application() -> Application:
    return Application(
        merchant_type="sole_trader", legal_name="李娜", id_number="110105194912310029", phone="13900139000",
        email="li@example.com", business_name="李娜便利店", business_address="北京市朝阳区建国路1号",
        settlement_holder_name="李娜", settlement_number="6222021234567890123", settlement_bank="工商银行",
        device_model="P2", created_at=NOW,
    )


@pytest.fixture
def uow_factory(database_url):
    sessions = session_factory(database_url)
    return lambda: UnitOfWork(sessions)


def test_an_application_round_trips_with_documents_decisions_and_audit(uow_factory):
    app = new_application()
    app.add_document(Document(application_id="", document_type="id_card_front", sha256="f" * 64, size_bytes=10,
                              media_type="image/png", uploaded_at=NOW, uploaded_by="staff:a",
                              fields={"name": {"value": "李娜", "confidence": 0.93}}), actor="staff:a", at=NOW)
    app.transition(S.CHECKING, actor="engine", reason="documents to check", at=NOW)
    app.decisions.append(DecisionRecord(application_id=app.id, outcome="needs_documents",
                                        deficiencies=[{"code": "document_missing", "document_type": "id_card_back"}],
                                        warnings=[], rules_version="1+abc", ocr_engine="tesseract 5.3.0",
                                        fingerprint="0" * 64, decided_at=NOW))
    app.transition(S.NEEDS_DOCUMENTS, actor="engine", reason="document_missing", at=NOW)
    with uow_factory() as uow:
        uow.applications.add(app)
        uow.commit()

    with uow_factory() as uow:
        loaded = uow.applications.get(app.id)
        assert loaded.state is S.NEEDS_DOCUMENTS
        assert loaded.created_at == NOW and loaded.created_at.tzinfo is not None
        assert loaded.documents[0].fields["name"]["value"] == "李娜"
        assert loaded.latest_decision.deficiencies[0]["code"] == "document_missing"
        assert [(e.action, e.to_state) for e in loaded.events] == [
            ("document_added", None), ("transition", "checking"), ("transition", "needs_documents")]


def test_leaving_without_commit_writes_nothing(uow_factory):
    app = new_application()
    with uow_factory() as uow:
        uow.applications.add(app)
    with uow_factory() as uow:
        assert uow.applications.list() == []


def test_a_concurrent_update_is_refused_not_lost(uow_factory):
    app = new_application()
    with uow_factory() as uow:
        uow.applications.add(app)
        uow.commit()
    with uow_factory() as first, uow_factory() as second:
        a = first.applications.get(app.id)
        b = second.applications.get(app.id)
        a.transition(S.CHECKING, actor="flow-1", reason="run 1", at=NOW)
        first.commit()
        b.transition(S.WITHDRAWN, actor="staff:x", reason="merchant withdrew", at=NOW)
        with pytest.raises(StaleDataError):
            second.commit()
    with uow_factory() as uow:
        assert uow.applications.get(app.id).state is S.CHECKING


def test_the_migration_builds_exactly_the_mapped_schema(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from onboarding.adapters.schema import metadata

    with engine_for(database_url).connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    # Column types differ only in our TypeDecorators (stored as their impl); structure must match.
    structural = [d for d in diff if not (isinstance(d, list) and d and d[0][0] == "modify_type")]
    assert structural == []
