"""The ledger flow on Prefect: a batch in, a sweep, and a rerun that repeats nothing."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from onboarding.adapters.ledger_tables import refund_instructions, transactions
from onboarding.bootstrap import get_services
from onboarding.domain.model import Application
from onboarding.domain.states import ApplicationState

pytestmark = pytest.mark.e2e
SHIPPED_AT = datetime(2026, 1, 5, 2, 0, tzinfo=timezone.utc)


def approved(services) -> str:
    app = Application(merchant_type="small_micro", legal_name="王昌良", id_number="440781197506032481",
                      phone="13800138000", email=None, business_name="昌良小吃店",
                      business_address="广东省台山市沙咀村12号",
                      settlement_holder_name="王昌良", settlement_number="6222021234567890123",
                      settlement_bank="中国工商银行", device_model="P2", created_at=SHIPPED_AT)
    for state in (ApplicationState.CHECKING, ApplicationState.APPROVED):
        app.transition(state, actor="test", reason="set-up", at=SHIPPED_AT)
    with services.uow() as uow:
        uow.applications.add(app)
        uow.commit()
    return app.id


def count(services, table) -> int:
    with services.uow() as uow:
        return uow.session.execute(select(func.count()).select_from(table)).scalar_one()


def test_import_and_sweep_refunds_once_across_reruns(onboard_home, prefect_api_url, tmp_path):
    from flows.ledger import import_and_sweep
    from onboarding.service.terminals import add_terminal, ship

    services = get_services()
    services.clock = lambda: SHIPPED_AT
    add_terminal(services, "SN0001", "P2")
    application_id = approved(services)
    ship(services, application_id)
    services.clock = lambda: SHIPPED_AT + timedelta(days=2)  # the batch arrives after its transaction
    batch = tmp_path / "batch.csv"
    batch.write_text("txn_id,terminal_sn,occurred_at,amount_fen,kind,channel\n"
                     "T1,SN0001,2026-01-06T10:00:00+08:00,1000000,sale,card_swipe\n", encoding="utf-8")
    as_of = (SHIPPED_AT + timedelta(days=2)).isoformat()

    first = import_and_sweep(str(batch), as_of)
    again = import_and_sweep(str(batch), as_of)
    assert (first["import"]["new"], first["sweep"]["ledger"]["activated"], first["sweep"]["ledger"]["refunded"]) == (1, 1, 1)
    assert (again["import"]["duplicate_batch"], again["sweep"]["ledger"]["refunded"]) == (True, 0)
    assert count(services, transactions) == count(services, refund_instructions) == 1
