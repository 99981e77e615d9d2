"""A merchant's life after approval in a real browser on a phone: the approval e-mail's link → the follow-up
call → shipping → the deposit's progress → a complaint from the link, answered and confirmed → a new phone
confirmed by its code → a new settlement account read and checked by the onboarding flow, then approved."""
from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from documents.samples.applications import encode_jpeg
from documents.samples.identity import make_identity
from documents.samples.render import render
from documents.types import DocumentType

pytestmark = pytest.mark.e2e
NEW_PHONE = "13911112222"
FLOW_SECONDS = 180


def approved(services, legal_name: str = "王昌良", email: str = "wang.merchant@example.com") -> str:
    from onboarding.domain.model import Application
    from onboarding.domain.states import ApplicationState as S
    from onboarding.notifications.delivery import deliver_pending
    from onboarding.service.review import decide
    from rules.model import Outcome

    now = services.clock()
    app = Application(merchant_type="small_micro", legal_name=legal_name, id_number="440781197506032481",
                      phone="13800138000", email=email, business_name="台山市北陡镇昌良小吃店",
                      business_address="广东省江门市台山市北陡镇沙咀村12号", settlement_holder_name=legal_name,
                      settlement_number="6222021234567890123", settlement_bank="中国工商银行", device_model="P2",
                      created_at=now - timedelta(days=1))
    app.transition(S.CHECKING, actor="engine", reason="t", at=now - timedelta(days=1))
    app.transition(S.MANUAL_REVIEW, actor="engine", reason="t", at=now - timedelta(days=1))
    services.uow()
    with services.uow() as uow:
        uow.applications.add(app)
        uow.commit()
    decide(services, app.id, Outcome.APPROVED, actor="staff:ana", reason="documents fine")
    deliver_pending(services)
    return app.id


def sms_code(services, phone: str) -> str:
    """The newest code the file channel delivered to `phone`."""
    sent = [json.loads(p.read_text(encoding="utf-8")) for p in (services.settings.outbox_dir / "sms").glob("*.json")]
    bodies = [m["body"] for m in sent if m["to"] == phone and "验证码" in m["body"]]
    return re.search(r"\b(\d{6})\b", bodies[-1]).group(1)


def no_sideways_scroll(phone) -> None:
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_after_approval_the_merchant_follows_calls_deposit_complaints_and_a_phone_change(
        services, inbox, portal_url, phone, tmp_path):
    from playwright.sync_api import expect

    from onboarding.notifications.delivery import deliver_pending
    from onboarding.service.call_outcomes import record_outcome
    from onboarding.service.complaints import act
    from onboarding.service.sweep import run_sweep
    from onboarding.service.terminals import add_terminal, ship
    from onboarding.service.transactions import import_transactions

    clock = {"now": services.clock()}
    services.clock = lambda: clock["now"]  # the portal serves these very services: its pages follow this clock
    email = "wang.merchant@example.com"
    application_id = approved(services, email=email)
    (link,) = inbox.links_for(email)
    phone.goto(link)
    expect(phone.locator("h1")).to_have_text("我的申请")
    expect(phone.locator('[data-step="call"]')).to_have_attribute("data-status", "current")
    expect(phone.locator(".banner.approved")).to_contain_text("前致电您")
    no_sideways_scroll(phone)
    phone.screenshot(path=tmp_path / "approved.png")

    # Staff make the call; the terminal ships; sales come in; the sweep activates and counts.
    with services.uow() as uow:
        call_id = uow.calls.for_one_application(application_id).id
    record_outcome(services, call_id, "confirmed", "all five details confirmed", actor="staff:ana")
    add_terminal(services, "SN-BROWSER-1", "P2")
    ship(services, application_id)
    now = services.clock()
    rows = ["txn_id,terminal_sn,occurred_at,amount_fen,kind,channel",
            f"B1,SN-BROWSER-1,{(now + timedelta(minutes=5)).isoformat()},250000,sale,card_chip",
            f"B2,SN-BROWSER-1,{(now + timedelta(minutes=6)).isoformat()},500000,sale,qr"]
    import_transactions(services, ("\n".join(rows) + "\n").encode())
    clock["now"] = now + timedelta(minutes=10)
    run_sweep(services, clock["now"])
    phone.reload()
    expect(phone.locator('[data-step="active"]')).to_have_attribute("data-status", "done")
    expect(phone.locator(".deposit-headline")).to_have_text("合格交易 ¥2,500 / ¥10,000，剩\u2060余\u00a060\u00a0天")
    expect(phone.locator(".deposit-counts")).to_have_text("银行卡交易计入；扫码交易和退款不计入。")
    phone.screenshot(path=tmp_path / "deposit.png", full_page=True)

    # A deposit complaint from the page, with a screenshot attached.
    phone.locator("#complaints summary").click()
    phone.select_option("#complaint-category", "deposit")
    phone.fill("#complaint-text", "扫码收了五千，为什么进度只有两千五？")
    attachment = tmp_path / "receipt.jpg"
    attachment.write_bytes(encode_jpeg(render(DocumentType.STOREFRONT_PHOTO, make_identity(5), seed=5)))
    phone.set_input_files("#complaint-attachment", str(attachment))
    phone.get_by_role("button", name="提交投诉").click()
    expect(phone.locator(".banner.done")).to_have_text("投诉已提交，我们会尽快联系您。")
    complaint = phone.locator("article.complaint")
    expect(complaint).to_have_attribute("data-state", "open")
    complaint_id = complaint.get_attribute("data-complaint")

    act(services, complaint_id, "acknowledge", actor="staff:bo")
    act(services, complaint_id, "resolve", actor="staff:bo",
        text="P2 终端只计入银行卡交易，扫码收款不计入押金进度。")
    deliver_pending(services)
    resolved_link = inbox.links_for(email)[-1]
    assert resolved_link != link  # every notice carries its own link to the same page
    phone.goto(resolved_link)
    expect(phone.locator("article.complaint .answer")).to_contain_text("扫码收款不计入押金进度")
    phone.get_by_role("button", name="问题已解决").click()
    expect(phone.locator("article.complaint")).to_have_attribute("data-state", "closed")

    # A new mobile number, confirmed by the code sent to it.
    phone.locator("#change summary").click()
    phone.fill("#change-phone", NEW_PHONE)
    phone.get_by_role("button", name="提交修改").click()
    expect(phone.locator(".banner.done")).to_contain_text("修改申请已提交")
    expect(phone.locator("#change")).to_contain_text("1391***2222")
    phone.fill("#code-phone", sms_code(services, NEW_PHONE))
    phone.get_by_role("button", name="确认").click()
    expect(phone.locator(".banner.done")).to_have_text("资料已修改。")
    no_sideways_scroll(phone)
    with services.uow() as uow:
        assert uow.applications.get(application_id).phone == NEW_PHONE
    phone.screenshot(path=tmp_path / "changed.png", full_page=True)


def test_a_new_settlement_account_from_the_link_is_read_checked_and_approved(services, portal_url, phone, tmp_path):
    from playwright.sync_api import expect

    from onboarding.service.changes import decide

    identity = make_identity(41, as_of=services.clock().date(), merchant_type="small_micro")
    application_id = approved(services, legal_name=identity.name, email="li.merchant@example.com")
    with services.uow() as uow:
        sealed = uow.applications.get(application_id).links[-1].sealed_token
    phone.goto(f"{portal_url}/r/{services.sealer.open(sealed)}")

    phone.locator("#change summary").click()
    phone.fill("#change-holder", identity.name)
    phone.fill("#change-number", identity.card_number)
    phone.fill("#change-bank", identity.bank_name)
    card = tmp_path / "new-card.jpg"
    card.write_bytes(encode_jpeg(render(DocumentType.BANK_CARD, identity)))
    phone.set_input_files("#change-bank_card", str(card))
    phone.get_by_role("button", name="提交修改").click()
    expect(phone.locator(".banner.done")).to_contain_text("修改申请已提交")

    # The upload started the onboarding flow in the background: it reads the card and runs the rules.
    waiting = phone.locator('#change [data-state="awaiting_approval"]')
    for _ in range(FLOW_SECONDS // 3):
        phone.reload()
        if waiting.count():
            break
        phone.wait_for_timeout(3000)
    expect(waiting).to_contain_text("等待工作人员确认")
    with services.uow() as uow:
        (change,) = uow.changes.for_application(application_id)
        change_id = change.id
    decide(services, change_id, True, actor="staff:ana", reason="card and holder match the ID")
    phone.reload()
    expect(phone.locator("#change")).to_contain_text("结算账户 · 已生效")
    with services.uow() as uow:
        assert uow.applications.get(application_id).settlement_number == identity.card_number
