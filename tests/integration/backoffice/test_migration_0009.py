"""Migration 0009 on a database that already holds applications (SQLite and PostgreSQL): the back office's
tables appear, older rows get a state-change time, and the search index is filled for them on first use."""
from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from onboarding.adapters.database import MIGRATIONS_DIR
from onboarding.adapters.encryption import sealer_for_keys

KEY = "Jk8oR3B1ym2z9GR5q2yq1qkq3o1Yq0dZQ0S8y1mJ0lE="


def _alembic(url: str, action, revision: str, sealer) -> None:
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


def test_upgrade_keeps_applications_and_makes_them_findable(database_url, onboard_home, monkeypatch):
    from onboarding.bootstrap import get_services, reset_services
    from onboarding.service.queue import parse_filter, queue_page

    sealer = sealer_for_keys((KEY,))
    _alembic(database_url, command.upgrade, "0007", sealer)
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO applications (id, merchant_type, legal_name, id_number, phone, email, business_name, "
            "business_address, settlement_holder_name, settlement_number, settlement_bank, device_model, state, "
            "state_changed_at, created_at, version, waivers) VALUES ('APP-OLD00001', 'small_micro', :name, :id, "
            ":phone, NULL, '昌良小吃店', '广东省江门市', :name, :card, '工商银行', 'P2', 'manual_review', NULL, "
            ":at, 1, '[]')"),
            {"name": sealer.seal("王昌良"), "id": sealer.seal("440781197506032481"),
             "phone": sealer.seal("13800138000"), "card": sealer.seal("6222021234567890123"),
             "at": "2026-03-01 08:00:00"})
    engine.dispose()
    _alembic(database_url, command.upgrade, "head", sealer)

    monkeypatch.setenv("ONBOARD_DATABASE_URL", database_url)
    monkeypatch.setenv("ONBOARD_SECRET_KEYS", f'["{KEY}"]')
    reset_services()
    services = get_services()
    with services.uow() as uow:
        application = uow.applications.get("APP-OLD00001")
        assert application.state_changed_at == application.created_at
        assert uow.staff.all() == []
    from onboarding.service.search_index import index_missing

    assert index_missing(services) == 1 and index_missing(services) == 0
    found = queue_page(services, parse_filter(q="138 0013 8000"))
    assert [r["application_id"] for r in found["applications"]] == ["APP-OLD00001"]
    _alembic(database_url, command.downgrade, "0007", sealer)
    inspector = sa.inspect(sa.create_engine(database_url))
    assert "staff_accounts" not in inspector.get_table_names()
