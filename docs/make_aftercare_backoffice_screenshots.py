"""Regenerate docs/backoffice-aftercare.png and docs/backoffice-aftercare-case.png: the back office's work list after
approval (calls due, complaints with their clocks, changes to decide) and the case page's section, on a throw-away
installation built through the real services.

    .venv/bin/python docs/make_aftercare_backoffice_screenshots.py
"""
from __future__ import annotations

import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

DOCS = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "en-GB", "timezone_id": "Asia/Shanghai"}
PASSWORD = "screenshots-only-password"


def build(services, clock) -> str:
    from make_merchant_screenshots import APPROVED_AT, approved

    from documents.checksums import luhn_check_digit
    from documents.samples.applications import encode_jpeg
    from documents.samples.identity import make_identity
    from documents.samples.render import render
    from onboarding.service.change_input import parse_change
    from onboarding.service.changes import decide_change, request_change
    from onboarding.service.complaints import act, open_complaint
    from onboarding.service.submission import UploadedFile
    from onboarding.service.terminals import add_terminal

    clock.now = APPROVED_AT
    add_terminal(services, "P2-8840031", "P2")
    first = approved(services, "台山市北陡镇昌良小吃店")
    second = approved(services, "江门市蓬江区陈记糖水铺", "陈美玲")
    deposit = open_complaint(services, second, "deposit", "押金进度为什么没有算扫码收款？", actor="merchant:link")
    open_complaint(services, first, "activation", "终端开机后提示未激活", actor="merchant:link")
    body = "621700123456789012"
    number = body + luhn_check_digit(body)
    card = encode_jpeg(render("bank_card", make_identity(7, merchant_type="small_micro").model_copy(
        update={"name": "陈美玲", "card_number": number, "bank_name": "中国建设银行"})))
    change_id = request_change(services, second, parse_change({"settlement_account": {
        "holder_name": "陈美玲", "number": number, "bank_name": "中国建设银行"}}),
        [UploadedFile("bank_card", card, "card.jpg")], actor="merchant:link")
    with services.uow() as uow:  # what OCR would read from the new card; the screenshot is about the page
        application = uow.applications.get(second, for_update=True)
        proposed = next(d for d in application.documents if d.proposed_for == change_id)
        proposed.fields = {"card_number": {"value": number, "confidence": 0.97}}
        uow.commit()
    decide_change(services, change_id)
    clock.now = APPROVED_AT + timedelta(minutes=40)
    act(services, deposit, "acknowledge", actor="staff:rita")
    return second


def photograph(base_url: str, case_id: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        try:
            page = browser.new_context(**DESKTOP).new_page()
            page.goto(f"{base_url}/login")
            page.fill("#username", "rita")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.goto(f"{base_url}/aftercare")
            page.screenshot(path=str(DOCS / "backoffice-aftercare.png"))
            page.goto(f"{base_url}/applications/{case_id}")
            page.locator("#aftercare").screenshot(path=str(DOCS / "backoffice-aftercare-case.png"))
        finally:
            browser.close()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="onboard-docs-") as home:
        os.environ["ONBOARD_HOME"] = home
        os.environ.pop("ONBOARD_DATABASE_URL", None)
        from make_merchant_screenshots import APPROVED_AT, Clock

        from onboarding.backoffice.app import create_backoffice_app
        from onboarding.bootstrap import get_services, reset_services
        from onboarding.portal.server import serve_in_background
        from onboarding.service.staff import add_staff

        reset_services()
        services = get_services()
        clock = Clock(APPROVED_AT)
        services.clock = clock
        services.uow()
        add_staff(services, "rita", "reviewer", PASSWORD, actor="staff:docs")
        case_id = build(services, clock)
        with serve_in_background(create_backoffice_app(services, lambda *_: None)) as base_url:
            photograph(base_url, case_id)
    print(DOCS / "backoffice-aftercare.png", DOCS / "backoffice-aftercare-case.png", file=sys.stderr)


if __name__ == "__main__":
    sys.path.insert(0, str(DOCS.parent))
    sys.path.insert(0, str(DOCS))
    main()
