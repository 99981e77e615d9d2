"""After approval in the back office, in Chromium: the work list shows the call due and a complaint breaching its
first clock; the reviewer records the call on the case page (shipping then goes through), works the complaint to
its resolution with the clocks turning green, and approves a settlement change. No orchestrator needed: every
step is a staff action or a service call the portal would make."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.e2e.browser.conftest import free_port

pytestmark = pytest.mark.e2e

PASSWORD = "after-approval-password-1"
DESKTOP = {"viewport": {"width": 1440, "height": 1000}, "locale": "en-GB", "timezone_id": "Asia/Shanghai"}
START = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)  # Tuesday 10:00 in Shanghai


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def approved(services, legal_name: str, business_name: str, phone: str) -> str:
    from onboarding.domain.model import Application
    from onboarding.domain.states import ApplicationState as S
    from onboarding.service.review import approve

    now = services.clock()
    app = Application(merchant_type="small_micro", legal_name=legal_name, id_number="440781197506032481",
                      phone=phone, email=None, business_name=business_name,
                      business_address="广东省江门市台山市北陡镇沙咀村12号", settlement_holder_name=legal_name,
                      settlement_number="6222021234567890123", settlement_bank="中国工商银行", device_model="P2",
                      created_at=now - timedelta(days=1))
    app.transition(S.CHECKING, actor="engine", reason="t", at=now - timedelta(days=1))
    app.transition(S.MANUAL_REVIEW, actor="engine", reason="t", at=now - timedelta(days=1))
    with services.uow() as uow:
        uow.applications.add(app)
        uow.commit()
    approve(services, app.id, actor="staff:setup", reason="documents fine")
    return app.id


@pytest.fixture
def office(onboard_home):
    from onboarding.backoffice.app import create_backoffice_app
    from onboarding.bootstrap import get_services
    from onboarding.portal.server import serve_in_background
    from onboarding.service.staff import add_staff
    from onboarding.service.terminals import add_terminal

    services = get_services()
    services.clock = Clock()
    services.uow()
    add_staff(services, "rita", "admin", PASSWORD, actor="staff:setup")
    add_terminal(services, "SN-DESK-1", "P2")
    with serve_in_background(create_backoffice_app(services, lambda *_: None), port=free_port()) as url:
        yield services, url


def test_staff_make_the_call_work_a_complaint_and_approve_a_change(office, browser, tmp_path: Path):
    from playwright.sync_api import expect

    from onboarding.domain.model import Document
    from onboarding.service import changes
    from onboarding.service.change_input import parse_change
    from onboarding.service.complaints import open_complaint
    from onboarding.service.submission import UploadedFile
    from tests.integration.backoffice.conftest import photo_bytes

    services, url = office
    app = approved(services, "王昌良", "台山市北陡镇昌良小吃店", "13800138000")
    complaint_id = open_complaint(services, app, "deposit", "押金什么时候退？", actor="merchant:link")
    number = "6222021234567899996"
    change_id = changes.request_change(
        services, app, parse_change({"settlement_account": {"holder_name": "王昌良", "number": number,
                                                            "bank_name": "中国银行"}}),
        [UploadedFile("bank_card", photo_bytes(77, (1200, 760)), "card.jpg")], actor="merchant:link")
    with services.uow() as uow:  # what OCR reads from the new card (the reading itself is tested elsewhere)
        proposed: Document = next(d for d in uow.applications.get(app, for_update=True).documents
                                  if d.proposed_for == change_id)
        proposed.fields = {"card_number": {"value": number, "confidence": 0.97}}
        uow.commit()
    changes.decide_change(services, change_id)
    services.clock.now = START + timedelta(minutes=25)

    desk = browser.new_context(**DESKTOP).new_page()
    desk.goto(f"{url}/login")
    desk.fill("#username", "rita")
    desk.fill("#password", PASSWORD)
    desk.click("button[type=submit]")
    desk.click("nav >> text=After approval")
    expect(desk.locator("h1")).to_have_text("After approval")
    expect(desk.locator(f'#calls tr[data-call]')).to_have_count(1)
    expect(desk.locator(f'#complaints tr[data-complaint="{complaint_id}"] td[data-stage="acknowledge"]')
           ).to_have_attribute("data-status", "pending")
    expect(desk.locator(f'#changes tr[data-change="{change_id}"]')).to_contain_text("awaiting approval")
    desk.screenshot(path=str(tmp_path / "aftercare-list.png"), full_page=True)

    desk.click(f'#calls a[href="/applications/{app}#aftercare"]')
    section = desk.locator("#aftercare")
    expect(section.locator("[data-call-state]")).to_have_attribute("data-call-state", "open")
    section.locator('input[name="outcome"][value="confirmed"]').check()
    section.locator('input[name="note"]').fill("legal name, address, card 0123, P2 and ¥99 deposit confirmed")
    section.get_by_role("button", name="Record").click()
    expect(desk.locator(".banner.good")).to_contain_text("Record the call: done")
    expect(desk.locator("#aftercare [data-call-state]")).to_have_attribute("data-call-state", "confirmed")

    complaint = desk.locator(f'#aftercare [data-complaint="{complaint_id}"]')
    complaint.get_by_role("button", name="Acknowledge").click()
    complaint = desk.locator(f'#aftercare [data-complaint="{complaint_id}"]')
    expect(complaint.locator('tr[data-stage="acknowledge"]')).to_have_attribute("data-status", "met")
    complaint.locator("summary", has_text="Answer / resolve").click()
    complaint.locator('textarea[name="text"]').fill("押金将在交易满 ¥10,000 后退还；扫码交易不计入。")
    complaint.get_by_role("button", name="Send as resolution").click()
    complaint = desk.locator(f'#aftercare [data-complaint="{complaint_id}"]')
    expect(complaint).to_have_attribute("data-complaint-state", "resolved")
    for stage in ("acknowledge", "first_answer", "resolve"):
        expect(complaint.locator(f'tr[data-stage="{stage}"]')).to_have_attribute("data-status", "met")

    change = desk.locator(f'#aftercare [data-change="{change_id}"]')
    change.locator('input[name="reason"]').fill("card photo and holder match the ID")
    change.get_by_role("button", name="Approve the change").click()
    expect(desk.locator(f'#aftercare [data-change="{change_id}"]')).to_have_attribute("data-change-state", "applied")
    desk.locator("#aftercare").screenshot(path=str(tmp_path / "aftercare-case.png"))
    with services.uow() as uow:
        application = uow.applications.get(app)
        assert application.settlement_number == number
        actors = {e.actor for e in application.events if e.action in ("call_recorded", "complaint_resolved",
                                                                          "details_changed")}
    assert actors == {"staff:rita"}
