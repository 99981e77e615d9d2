"""The queue on SQLite and PostgreSQL: search through the keyed-hash index, SLA colours as the Python rule says,
filters, sorting, paging, possible duplicates, and a CSV export a spreadsheet cannot run."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import text

from onboarding.domain.model import Application
from onboarding.domain.states import ApplicationState as S
from onboarding.service.queue import QueueFilter, export_rows, parse_filter, queue_page, to_csv
from onboarding.service.search_index import index_application
from onboarding.domain.sla import sla_colour
from tests.integration.backoffice.conftest import NOW, Clock


@pytest.fixture
def services(database_url, onboard_home, monkeypatch):
    from onboarding.bootstrap import get_services, reset_services

    monkeypatch.setenv("ONBOARD_DATABASE_URL", database_url)
    reset_services()
    built = get_services()
    built.clock = Clock(NOW)
    built.uow()
    return built


def add(services, n: int, *, state: S = S.MANUAL_REVIEW, in_state_hours: float = 1.0, business_name: str | None = None,
        id_number: str = "440781197506032481", phone: str | None = None, card: str | None = None,
        merchant_type: str = "small_micro") -> str:
    now = services.clock()
    application = Application(
        merchant_type=merchant_type, legal_name="王昌良", id_number=id_number, phone=phone or f"138{n:08d}",
        email=None, business_name=business_name or f"商户{n:04d}", business_address="广东省江门市台山市北陡镇沙咀村12号",
        settlement_holder_name="王昌良", settlement_number=card or f"62220212{n:011d}", settlement_bank="工商银行",
        device_model="P2", created_at=now - timedelta(hours=100 - n * 0.5), state=state,
        state_changed_at=now - timedelta(hours=in_state_hours))
    with services.uow() as uow:
        uow.applications.add(application)
        index_application(services, uow, application)
        uow.commit()
    return application.id


def ids(page) -> list[str]:
    return [r["application_id"] for r in page["applications"]]


def test_search_finds_encrypted_numbers_through_the_index_only(services):
    target = add(services, 1, id_number="11010519491231002X", phone="13912345678", card="6222021234567890123",
                 business_name="北京东城区老王面馆")
    add(services, 2)
    for typed in ("11010519491231002x", "110105 19491231 002X", "１３９１２３４５６７８", "+86 139 1234 5678",
                  "6222 0212 3456 7890 123", "老王面馆", target.lower(), target[:8]):
        assert ids(queue_page(services, parse_filter(q=typed))) == [target], typed
    assert ids(queue_page(services, parse_filter(q="62220212345678901"))) == []  # a different number
    with services.uow() as uow:
        stored = " ".join(str(v) for row in uow.session.execute(text("SELECT * FROM search_index")) for v in row)
        ciphertext = uow.session.execute(text(f"SELECT phone FROM applications WHERE id = '{target}'")).scalar()
    assert "13912345678" not in stored and "1101051949" not in stored and "13912345678" not in ciphertext


@pytest.mark.parametrize("state, hours", [
    (S.SUBMITTED, 0.4), (S.SUBMITTED, 0.5), (S.CHECKING, 2), (S.MANUAL_REVIEW, 11.9), (S.MANUAL_REVIEW, 12),
    (S.MANUAL_REVIEW, 23.9), (S.MANUAL_REVIEW, 24), (S.APPROVED, 500), (S.NEEDS_DOCUMENTS, 30)])
def test_the_queue_colours_as_the_python_rule_does(services, state, hours):
    application_id = add(services, 1, state=state, in_state_hours=hours)
    (row,) = queue_page(services, parse_filter())["applications"]
    assert row["application_id"] == application_id
    assert row["sla"] == sla_colour(state, hours, None)
    assert ids(queue_page(services, parse_filter(sla=row["sla"]))) == [application_id]


def test_filters_sorting_and_pages(services):
    made = [add(services, n, state=S.MANUAL_REVIEW if n % 2 else S.APPROVED, in_state_hours=n,
                merchant_type="sole_trader" if n % 3 == 0 else "small_micro") for n in range(1, 121)]
    first = queue_page(services, parse_filter(state="all"))
    assert first["total"] == 120 and first["pages"] == 3 and len(first["applications"]) == 50
    everything = [a for p in (1, 2, 3) for a in ids(queue_page(services, parse_filter(state="all", page=p)))]
    assert sorted(everything) == sorted(made) and everything[0] == made[-1]  # longest in its state first
    oldest = queue_page(services, parse_filter(state="all", sort="age", direction="desc"))
    assert ids(oldest)[0] == made[0]
    review = queue_page(services, parse_filter(state="manual_review", merchant_type="sole_trader"))
    assert review["total"] == sum(1 for n in range(1, 121) if n % 2 and n % 3 == 0)
    assert {r["state"] for r in review["applications"]} == {"manual_review"}
    assert queue_page(services, parse_filter(state="all", page=4))["applications"] == []


def test_possible_duplicates_are_found_flagged_for_staff_and_cleared(services):
    from onboarding.service import duplicates
    from rules.model import PossibleDuplicate

    first = add(services, 1, id_number="440781197506032481", phone="13800000001")
    second = add(services, 2, id_number="440781197506032481", phone="13800000001")
    third = add(services, 3, id_number="11010519491231002X")
    found = duplicates.refresh(services, second)
    assert found == [PossibleDuplicate(application_id=first, matched_on=["id_number", "phone"])]
    assert duplicates.refresh(services, third) == []
    flagged = queue_page(services, parse_filter(state="all", duplicates=True))
    assert sorted(ids(flagged)) == sorted([first, second])
    assert all(r["possible_duplicate"] for r in flagged["applications"])
    duplicates.clear(services, first, None, actor="staff:rita", reason="two shops of one owner")
    assert duplicates.refresh(services, second) == []  # cleared for both sides
    assert queue_page(services, parse_filter(state="all", duplicates=True))["total"] == 0


def test_the_csv_export_cannot_run_formulas(services):
    add(services, 1, business_name='=HYPERLINK("http://evil.example","click")')
    add(services, 2, business_name="+cmd|' /C calc'!A0")
    add(services, 3, business_name="普通商户")
    rows = export_rows(services, QueueFilter())
    parsed = list(csv.DictReader(io.StringIO(to_csv(rows).lstrip("\ufeff"))))
    names = sorted(r["merchant"] for r in parsed)
    assert names == sorted(["'=HYPERLINK(\"http://evil.example\",\"click\")", "'+cmd|' /C calc'!A0", "普通商户"])
    assert all(not r["merchant"].startswith(("=", "+", "-", "@")) for r in parsed)


def test_both_sides_of_a_pair_checked_at_once_record_one_pair(services):
    import threading

    from onboarding.service import duplicates

    first = add(services, 1, id_number="440781197506032481")
    second = add(services, 2, id_number="440781197506032481")
    barrier, failures = threading.Barrier(2), []

    def check(application_id: str) -> None:
        barrier.wait()
        try:
            duplicates.refresh(services, application_id)
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=check, args=(a,)) for a in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with services.uow() as uow:
        assert [m["other_id"] for m in uow.cases.duplicates(first)] == [second]
