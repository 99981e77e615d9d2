"""Regenerate docs/merchant-*.png: the merchant's page after approval on a phone, in the states a merchant meets.

    .venv/bin/python docs/make_merchant_screenshots.py [OUTPUT_DIR]

Builds each state through the real services on a throw-away embedded installation (a reviewer's approval,
the follow-up call, shipping, a transaction batch, the sweep, a complaint and its answer, a change request),
serves the portal and photographs one of the merchant's links in the system Chromium at 390×844 CSS pixels
(device scale 2), Chinese first.
"""
from __future__ import annotations

import os
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--lang=zh-CN"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "timezone_id": "Asia/Shanghai"}
APPROVED_AT = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)  # Tuesday 10:00 in Shanghai


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def approved(services, business_name: str, legal_name: str = "王昌良") -> str:
    from onboarding.domain.model import Application
    from onboarding.domain.states import ApplicationState as S
    from onboarding.service.review import decide
    from rules.model import Outcome

    now = services.clock()
    app = Application(merchant_type="small_micro", legal_name=legal_name, id_number="440781197506032481",
                      phone="13800138000", email="wang@example.com", business_name=business_name,
                      business_address="广东省江门市台山市北陡镇沙咀村12号", settlement_holder_name=legal_name,
                      settlement_number="6222021234567891234", settlement_bank="中国工商银行", device_model="P2",
                      created_at=now - timedelta(days=2))
    app.transition(S.CHECKING, actor="engine", reason="docs", at=now - timedelta(days=2))
    app.transition(S.MANUAL_REVIEW, actor="engine", reason="docs", at=now - timedelta(days=2))
    with services.uow() as uow:
        uow.applications.add(app)
        uow.commit()
    decide(services, app.id, Outcome.APPROVED, actor="staff:docs", reason="documents fine")
    return app.id


def newest_link(services, application_id: str) -> str:
    with services.uow() as uow:
        sealed = uow.applications.get(application_id).links[-1].sealed_token
    return f"/r/{services.sealer.open(sealed)}"


def scenarios(services, clock: Clock) -> dict[str, str]:
    """name → link path, each application in a state worth showing."""
    from onboarding.service.call_outcomes import record_outcome
    from onboarding.service.change_input import parse_change
    from onboarding.service.changes import request_change
    from onboarding.service.complaints import act, open_complaint
    from onboarding.service.sweep import run_sweep
    from onboarding.service.terminals import add_terminal, ship
    from onboarding.service.transactions import import_transactions

    paths = {}
    clock.now = APPROVED_AT
    waiting_for_call = approved(services, "台山市北陡镇昌良小吃店")
    paths["merchant-approved"] = newest_link(services, waiting_for_call)

    deposit_app = approved(services, "江门市蓬江区陈记糖水铺", "陈美玲")
    with services.uow() as uow:
        call_id = uow.calls.for_one_application(deposit_app).id
    record_outcome(services, call_id, "confirmed", "all details confirmed", actor="staff:docs")
    add_terminal(services, "P2-8840021", "P2")
    ship(services, deposit_app)
    clock.now = APPROVED_AT + timedelta(days=8)  # the batch arrives after the week's sales
    rows = ["txn_id,terminal_sn,occurred_at,amount_fen,kind,channel",
            "D1,P2-8840021,2026-12-04T12:05:00+08:00,3500,sale,card_chip",
            "D2,P2-8840021,2026-12-05T19:40:00+08:00,412000,sale,card_contactless",
            "D3,P2-8840021,2026-12-06T13:15:00+08:00,150000,sale,qr",
            "D4,P2-8840021,2026-12-07T18:22:00+08:00,20000,refund,card_chip",
            "D5,P2-8840021,2026-12-08T20:02:00+08:00,238000,sale,card_swipe"]
    import_transactions(services, ("\n".join(rows) + "\n").encode())
    run_sweep(services, clock.now)
    complaint = open_complaint(services, deposit_app, "deposit", "扫码收款也有一万多了，为什么押金进度才六千多？",
                               actor="merchant:link")
    clock.now += timedelta(minutes=12)
    act(services, complaint, "acknowledge", actor="staff:docs")
    clock.now += timedelta(hours=3)
    act(services, complaint, "answer", actor="staff:docs",
        text="您好，P2 终端的押金只计入银行卡交易（刷卡、插卡、闪付），扫码收款和退款不计入。目前合格交易为 ¥6,335，"
             "再刷 ¥3,665 即可退还押金。")
    clock.now += timedelta(hours=1)
    paths["merchant-deposit"] = newest_link(services, deposit_app)

    refunded_app = approved(services, "开平市赤坎镇关记茶餐厅", "关伟文")
    with services.uow() as uow:
        call_id = uow.calls.for_one_application(refunded_app).id
    record_outcome(services, call_id, "confirmed", "ok", actor="staff:docs")
    add_terminal(services, "P2-8840023", "P2")
    ship(services, refunded_app)
    shipped_at = clock.now
    rows = ["txn_id,terminal_sn,occurred_at,amount_fen,kind,channel",
            f"R1,P2-8840023,{(shipped_at + timedelta(hours=20)).isoformat()},620000,sale,card_chip",
            f"R2,P2-8840023,{(shipped_at + timedelta(hours=22)).isoformat()},410000,sale,card_contactless"]
    clock.now = shipped_at + timedelta(hours=23)
    import_transactions(services, ("\n".join(rows) + "\n").encode())
    run_sweep(services, clock.now)
    complaint = open_complaint(services, refunded_app, "activation", "第一次刷卡提示失败，后来又成功了，是否已激活？",
                               actor="merchant:link")
    clock.now += timedelta(minutes=9)
    act(services, complaint, "resolve", actor="staff:docs",
        text="终端已激活：第一笔失败是网络超时，没有扣款，第二笔成功即完成激活。押金也已退还到您的结算账户。")
    paths["merchant-refunded"] = newest_link(services, refunded_app)

    change_app = approved(services, "台山市台城镇黄记五金店", "黄志强")
    with services.uow() as uow:
        call_id = uow.calls.for_one_application(change_app).id
    record_outcome(services, call_id, "confirmed", "ok", actor="staff:docs")
    add_terminal(services, "P2-8840022", "P2")
    ship(services, change_app)
    request_change(services, change_app, parse_change({"phone": "13911112222"}), [], actor="merchant:link")
    paths["merchant-change"] = newest_link(services, change_app)
    return paths


def photograph(base_url: str, paths: dict[str, str], output: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for lang in ("zh", "en"):
                page = browser.new_context(**PHONE, locale="zh-CN" if lang == "zh" else "en-GB").new_page()
                for name, path in paths.items():
                    page.goto(f"{base_url}{path}?lang={lang}")
                    suffix = "" if lang == "zh" else "-en"
                    target = output / f"{name}{suffix}.png"
                    if name == "merchant-deposit":
                        page.evaluate("window.scrollTo(0, document.querySelector('#terminal').offsetTop - 12)")
                    if name == "merchant-change":
                        page.evaluate("window.scrollTo(0, document.querySelector('#change').offsetTop - 12)")
                    page.screenshot(path=str(target))
                    written.append(target)
                    if name == "merchant-deposit" and lang == "zh":  # the complaint form, opened
                        page.locator("#complaints summary").click()
                        page.select_option("#complaint-category", "deposit")
                        page.evaluate("window.scrollTo(0, document.querySelector('#complaints details').offsetTop - 12)")
                        complaints = output / "merchant-complaint.png"
                        page.screenshot(path=str(complaints))
                        written.append(complaints)
        finally:
            browser.close()
    return written


def main(output: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="onboard-docs-") as home:
        os.environ["ONBOARD_HOME"] = home
        os.environ.pop("ONBOARD_DATABASE_URL", None)
        from onboarding.bootstrap import get_services, reset_services
        from onboarding.portal.app import create_app
        from onboarding.portal.server import serve_in_background

        reset_services()
        services = get_services()
        clock = Clock(APPROVED_AT)
        services.clock = clock
        services.uow()  # maps the domain classes before the first application is built
        paths = scenarios(services, clock)
        with serve_in_background(create_app(services, launch=lambda _application_id: None)) as base_url:
            for path in photograph(base_url, paths, output):
                print(f"wrote {path}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
