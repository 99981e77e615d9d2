"""A reviewer's day in the back office, in Chromium: log in, filter the queue, open a name-mismatch case, look at
both images, ask for the bank card again with a message, the merchant's upload arriving through the portal,
approve. Everything is real: sample documents, OCR, rules, the Prefect flow (session test server), the back
office and the portal on their own sockets. One back office and one portal for the module."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from documents.samples.applications import encode_jpeg, sample_application
from documents.samples.render import render
from documents.types import DocumentType as D
from onboarding.service.application_input import parse_application
from onboarding.service.submission import UploadedFile, submit_application
from tests.e2e.browser.conftest import PHONE, free_port

pytestmark = pytest.mark.e2e

PASSWORD = "reviewer-password-1"
FLOW_SECONDS = 240
DESKTOP = {"viewport": {"width": 1440, "height": 1000}, "locale": "en-GB", "timezone_id": "Asia/Shanghai"}


class ShiftableClock:
    """Real time, plus an offset a test can move forward (to let a staff session go idle)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset


@pytest.fixture(scope="module")
def office(tmp_path_factory, prefect_api_url):
    """Services on a fresh home, two sample cases checked by the real flow, the back office and the portal."""
    from flows.launch import run_batch
    from onboarding.backoffice.app import create_backoffice_app
    from onboarding.bootstrap import get_services, reset_services
    from onboarding.portal.app import create_app
    from onboarding.portal.server import serve_in_background
    from onboarding.service.staff import add_staff

    portal_port = free_port()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ONBOARD_HOME", str(tmp_path_factory.mktemp("backoffice-home")))
        env.delenv("ONBOARD_DATABASE_URL", raising=False)
        env.setenv("ONBOARD_PORTAL_BASE_URL", f"http://127.0.0.1:{portal_port}")
        reset_services()
        services = get_services()
        clock = ShiftableClock()
        services.clock = clock
        samples = {name: sample_application(seed, "small_micro", name, as_of=clock().date())
                   for name, seed in (("name_mismatch", 1005), ("missing_back", 1003))}
        # Two characters off the ID card, so the mismatch is certain and the merchant is asked (one off goes to staff).
        samples["name_mismatch"].payload["legal_name"] = "欧阳明华"
        cases = {}
        for name, sample in samples.items():
            files = [UploadedFile(t, data, f"{t}.jpg") for t, data in sample.documents.items()]
            cases[name] = submit_application(services, parse_application(sample.payload), files, actor="merchant:web")
        run_batch(services, list(cases.values()))
        add_staff(services, "rita", "reviewer", PASSWORD, actor="staff:setup")
        with serve_in_background(create_app(services), port=portal_port) as portal_url, \
                serve_in_background(create_backoffice_app(services)) as office_url:
            yield {"services": services, "clock": clock, "cases": cases, "samples": samples, "url": office_url,
                   "portal": portal_url}
        reset_services()


@pytest.fixture
def desk(browser):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    yield page
    context.close()


def log_in(page, url: str) -> None:
    page.goto(f"{url}/")
    assert page.url.startswith(f"{url}/login")
    page.fill("#username", "rita")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


def state_of(services, application_id: str) -> str:
    with services.uow() as uow:
        return str(uow.applications.get(application_id).state)


def wait_for_decision(services, application_id: str, page) -> str:
    deadline = datetime.now() + timedelta(seconds=FLOW_SECONDS)
    while datetime.now() < deadline:
        state = state_of(services, application_id)
        with services.uow() as uow:
            application = uow.applications.get(application_id)
            uploaded_after = any(d.uploaded_by == "merchant:link" for d in application.documents)
            decided_after = application.latest_decision and application.latest_decision.decided_by == "engine" \
                and application.latest_decision.decided_at > max(d.uploaded_at for d in application.documents)
        if uploaded_after and decided_after and state not in ("submitted", "checking"):
            return state
        page.wait_for_timeout(500)
    raise AssertionError(f"{application_id} was not decided again within {FLOW_SECONDS} s")


def test_a_reviewers_day(office, desk, browser, tmp_path: Path):
    from playwright.sync_api import expect

    services, url, case = office["services"], office["url"], office["cases"]["name_mismatch"]
    other = office["cases"]["missing_back"]
    assert state_of(services, case) == "needs_documents"

    log_in(desk, url)
    expect(desk.locator("h1")).to_contain_text("Queue")
    desk.select_option("select[name=state]", "needs_documents")
    desk.click("form.filters button[type=submit]")
    rows = desk.locator("table.queue tbody tr[data-application]")
    expect(rows).to_have_count(2)
    expect(desk.locator(f'tr[data-application="{case}"] td.blocker')).to_contain_text("name_mismatch")
    desk.fill("input[name=q]", office["samples"]["name_mismatch"].payload["phone"])  # found through the index
    desk.click("form.filters button[type=submit]")
    expect(rows).to_have_count(1)
    desk.click(f'a[href="/applications/{case}"]')

    expect(desk.locator('article.finding[data-code="name_mismatch"]')).to_be_visible()
    expect(desk.locator('article.finding[data-code="name_mismatch"] table.evidence')).to_contain_text("application")
    for document_type in ("id_card_front", "bank_card"):
        desk.click(f'button.doc-tab[data-document="{document_type}"]')
        image = desk.locator(f'.doc-pane.active[data-document="{document_type}"] img.document-image')
        expect(image).to_be_visible()
        desk.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    desk.click('.doc-pane.active button[data-zoom="in"]')
    desk.click('.doc-pane.active button[data-rotate]')
    assert "rotate(90deg)" in desk.locator(".doc-pane.active img.document-image").get_attribute("style")
    with services.uow() as uow:
        viewed = {e.details["document_type"] for e in uow.applications.get(case).events
                  if e.action == "document_viewed" and e.actor == "staff:rita"}
    assert {"id_card_front", "bank_card"} <= viewed

    message = "请在光线充足处重新拍摄银行卡正面，确保卡号清晰。"
    desk.click("details.action summary:has-text('Ask the merchant for documents')")
    desk.check('input[name=document][value="bank_card"]')
    desk.fill('input[name="message_zh.bank_card"]', message)
    desk.fill('form[data-action=request] input[name=reason]', "card photo too dark to compare the holder name")
    desk.click("form[data-action=request] button[type=submit]")
    expect(desk.locator(".banner.good")).to_contain_text("Request documents: done")
    expect(desk.locator('.round[data-round="2"]')).to_contain_text(message)
    with services.uow() as uow:
        sent = [m for m in uow.outbox.for_application(case) if ":request-2:" in m["idempotency_key"]]
        token = services.sealer.open(uow.applications.get(case).links[-1].sealed_token)
    assert len(sent) == 2 and all("too dark" not in m["body"] for m in sent)

    # The merchant opens the new link on a phone and sends the card again through the portal.
    phone_context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    phone = phone_context.new_page()
    phone.goto(f"{office['portal']}/r/{token}")
    expect(phone.locator('section[data-document="bank_card"] .reason')).to_contain_text(message)
    card = tmp_path / "card-again.jpg"
    identity = office["samples"]["name_mismatch"].identity
    card.write_bytes(encode_jpeg(render(D.BANK_CARD, identity, seed=identity.seed + 7), quality=95))
    phone.set_input_files('input[name="bank_card"]', card)
    phone.get_by_role("button", name="提交资料").click()
    expect(phone.locator("[role=status]")).to_contain_text("资料已收到")
    phone_context.close()
    decided = wait_for_decision(services, case, desk)
    assert decided in ("needs_documents", "manual_review")  # the ID card still says another name

    desk.reload()
    expect(desk.locator("details.older")).to_contain_text("bank_card")
    desk.fill("form[data-action=approve] input[name=reason]", "亮/良: merchant confirmed the name by phone")
    desk.click("form[data-action=approve] button[type=submit]")
    expect(desk.locator(".banner.good")).to_contain_text("Approve: done")
    expect(desk.locator("h1 .state")).to_have_text("approved")
    with services.uow() as uow:
        approvers = [e.actor for e in uow.applications.get(case).events if e.to_state == "approved"]
        told = [m for m in uow.outbox.for_application(case) if m["idempotency_key"].endswith(":approved:sms")]
    assert approvers == ["staff:rita"] and told
    assert state_of(services, other) == "needs_documents"  # nothing else was touched


def test_an_idle_session_sends_the_reviewer_back_to_the_login(office, desk):
    log_in(desk, office["url"])
    office["clock"].offset += timedelta(minutes=office["services"].settings.backoffice_idle_minutes + 1)
    try:
        desk.goto(f"{office['url']}/applications/{office['cases']['missing_back']}")
        assert "/login?next=" in desk.url
    finally:
        office["clock"].offset = timedelta()
