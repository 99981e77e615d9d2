"""The merchant's page after approval over HTTP: progress and next step, complaints and changes from the link,
each scoped to the link's own application; bad input answered with a page, never a 500."""
from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from onboarding.domain.model import Application
from onboarding.domain.states import ApplicationState as S
from onboarding.service.review import decide
from rules.model import Outcome

from .conftest import NOW, photo_bytes

NEW_PHONE = "13911112222"


def approved(services, business_name: str = "台山市北陡镇昌良小吃店") -> tuple[str, str]:
    """(application id, the link path its approval message carried)."""
    app = Application(merchant_type="small_micro", legal_name="王昌良", id_number="440781197506032481",
                      phone="13800138000", email="wang@example.com", business_name=business_name,
                      business_address="广东省江门市台山市北陡镇沙咀村12号", settlement_holder_name="王昌良",
                      settlement_number="6222021234567890123", settlement_bank="中国工商银行", device_model="P2",
                      created_at=NOW - timedelta(days=1))
    app.transition(S.CHECKING, actor="engine", reason="t", at=NOW - timedelta(days=1))
    app.transition(S.MANUAL_REVIEW, actor="engine", reason="t", at=NOW - timedelta(days=1))
    with services.uow() as uow:
        uow.applications.add(app)
        uow.commit()
    decide(services, app.id, Outcome.APPROVED, actor="staff:ana", reason="fine")
    with services.uow() as uow:
        sms = [m for m in uow.outbox.for_application(app.id) if m["idempotency_key"].endswith(":approved:sms")]
    return app.id, re.search(r"/r/[A-Za-z0-9_-]{43}", sms[0]["body"]).group(0)


def form(fields: dict[str, str], files: dict | None = None) -> dict:
    """Every form on the page posts multipart (a button-only form: a body with one unnamed-for-us field)."""
    parts = {**{k: (None, v) for k, v in fields.items()}, **(files or {})}
    return {"files": parts or {"submit": (None, "")}}


def outbox_to(services, recipient: str) -> list[dict]:
    from sqlalchemy import select

    from onboarding.adapters.outbox import outbox

    with services.uow() as uow:
        # Recipients are encrypted (random tokens): the database cannot compare them, Python can.
        return [dict(r) for r in uow.session.execute(select(outbox).order_by(outbox.c.id)).mappings()
                if r["recipient"] == recipient]


def test_the_approved_merchant_sees_where_things_stand_and_what_comes_next(client, services):
    _, path = approved(services)
    page = client.get(path).text
    assert "<h1>我的申请</h1>" in page
    assert re.findall(r'data-step="(\w+)" data-status="(\w+)"', page) == [
        ("submitted", "done"), ("review", "done"), ("call", "current"), ("shipped", "todo"), ("active", "todo"),
        ("refunded", "todo")]
    # Approved on a Sunday: the call is due after 8 service hours, Monday 17:00 in Shanghai.
    assert "我们将在 2026-11-23 17:00（北京时间）前致电您" in page
    assert f'action="{path}/complaints"' in page and f'action="{path}/change"' in page
    english = client.get(f"{path}?lang=en").text
    assert "We will call you by 23 Nov 2026 17:00 (Beijing time)" in english


def test_a_complaint_from_the_link_is_opened_answered_and_confirmed(client, services):
    from onboarding.service.complaints import act

    application_id, path = approved(services)
    sent = client.post(f"{path}/complaints", **form({"category": "activation", "text": "终端开不了机"},
                                                     {"attachment": ("screen.jpg", photo_bytes(3), "image/jpeg")}))
    assert sent.status_code == 303 and sent.headers["location"] == f"{path}?done=complaint_opened#complaints"
    page = client.get(sent.headers["location"]).text
    assert "投诉已提交" in page and "终端开不了机" in page and "已提交" in page
    assert "我们将在 2026-11-23 16:00（北京时间）前回复。" in page  # first answer within 24 h (calendar)
    with services.uow() as uow:
        (complaint,) = uow.complaints.for_application(application_id)
        complaint_id, attachment = complaint.id, complaint.attachment_sha256
        assert complaint.opened_by == "merchant:link"
    assert attachment and services.blobs.exists(attachment)
    act(services, complaint_id, "resolve", actor="staff:ana", text="请长按电源键十秒重启。")
    page = client.get(path).text
    assert "请长按电源键十秒重启。" in page and "待您确认" in page
    confirmed = client.post(f"{path}/complaints/{complaint_id}/confirm", **form({}))
    assert confirmed.status_code == 303
    page = client.get(path).text
    assert 'data-state="closed"' in page and f"{path}/complaints/{complaint_id}/reopen" in page
    reopened = client.post(f"{path}/complaints/{complaint_id}/reopen", **form({}))
    assert reopened.status_code == 303 and "投诉已重新打开" in client.get(reopened.headers["location"]).text


def test_a_link_reaches_only_its_own_applications_complaints_and_changes(client, services):
    from onboarding.service.complaints import open_complaint

    _, mine = approved(services)
    theirs_id, _ = approved(services, "别人的店")
    theirs = open_complaint(services, theirs_id, "other", "x", actor="staff:ana")
    assert client.post(f"{mine}/complaints/{theirs}/reopen", **form({})).status_code == 404
    assert client.post(f"{mine}/change/CHG-0000000000/cancel", **form({})).status_code == 404
    assert client.post(f"{mine}/complaints/{theirs}/delete", **form({})).status_code == 404


def test_a_new_phone_from_the_link_needs_the_code_sent_to_it(client, services):
    application_id, path = approved(services)
    started = client.post(f"{path}/change", **form({"phone": NEW_PHONE}))
    assert started.status_code == 303 and "done=change_started" in started.headers["location"]
    page = client.get(path).text
    assert "验证码（已发送至新手机号 1391***2222）" in page
    code = re.search(r"\b(\d{6})\b", outbox_to(services, NEW_PHONE)[-1]["body"]).group(1)
    change_url = re.search(r'action="(/r/[^"]+/change/CHG-[0-9A-Z]{10})/code"', page).group(1)
    wrong = client.post(f"{change_url}/code", **form({"code": "000000" if code != "000000" else "111111"}))
    assert wrong.status_code == 400 and "验证码不正确或已过期" in wrong.text
    right = client.post(f"{change_url}/code", **form({"code": code}))
    assert right.status_code == 303 and "done=change_applied" in right.headers["location"]
    with services.uow() as uow:
        assert uow.applications.get(application_id).phone == NEW_PHONE


def test_a_settlement_account_in_another_name_is_refused_and_said_so(client, services, launches):
    _, path = approved(services)
    sent = client.post(f"{path}/change", **form(
        {"holder_name": "李四", "number": "6222021234567899999", "bank_name": "中国银行"},
        {"bank_card": ("card.jpg", photo_bytes(5, (1200, 760)), "image/jpeg")}))
    assert sent.status_code == 303 and "done=change_refused" in sent.headers["location"]
    page = client.get(sent.headers["location"]).text
    assert "修改未通过" in page and "未通过" in page
    assert launches.application_ids == []  # nothing to read: the rules refused it on what was typed


def test_a_settlement_change_with_its_card_photo_starts_the_checks(client, services, launches):
    application_id, path = approved(services)
    sent = client.post(f"{path}/change", **form(
        {"holder_name": "王昌良", "number": "6222021234567899999", "bank_name": "中国银行"},
        {"bank_card": ("card.jpg", photo_bytes(6, (1200, 760)), "image/jpeg")}))
    assert sent.status_code == 303
    assert launches.application_ids == [application_id]  # the onboarding flow reads and checks it
    assert "材料已收到，正在审核。" in client.get(path).text


@pytest.mark.parametrize(("fields", "files", "words"), [
    ({"phone": "12345"}, None, "请检查填写的手机号"),
    ({}, None, "请检查填写的内容"),
    ({"phone": NEW_PHONE}, {"bank_card": ("card.jpg", photo_bytes(7), "image/jpeg")}, "本次无需上传"),
    ({"business_address": "新地址在这里的某个地方"}, {"address_proof": ("a.gif", b"GIF89a" + b"\0" * 64, "image/gif")},
     "文件格式不支持"),
])
def test_a_bad_change_form_is_answered_with_a_page_and_stores_nothing(client, services, fields, files, words):
    application_id, path = approved(services)
    response = client.post(f"{path}/change", **form(fields, files))
    assert response.status_code in (400, 415) and words in response.text, response.text[-600:]
    with services.uow() as uow:
        assert uow.changes.for_application(application_id) == []


def test_a_malformed_form_is_a_400_page(client, services):
    _, path = approved(services)
    response = client.post(f"{path}/complaints", content=b"not multipart",
                           headers={"content-type": "multipart/form-data; boundary=x"})
    assert response.status_code == 400 and "<html" in response.text


def test_the_deposit_card_counts_as_the_policy_does_and_names_the_refund_account(client, services):
    from onboarding.service.call_outcomes import record_outcome
    from onboarding.service.deposits import sweep_ledger
    from onboarding.service.terminals import add_terminal, ship
    from onboarding.service.transactions import import_transactions

    application_id, path = approved(services)
    with services.uow() as uow:
        call_id = uow.calls.for_one_application(application_id).id
    record_outcome(services, call_id, "confirmed", "ok", actor="staff:ana")
    add_terminal(services, "SN-PAGE-1", "P2")
    ship(services, application_id)
    rows = ("txn_id,terminal_sn,occurred_at,amount_fen,kind,channel\n"
            "P1,SN-PAGE-1,2026-11-23T10:00:00+08:00,400000,sale,card_chip\n"
            "P2,SN-PAGE-1,2026-11-23T11:00:00+08:00,900000,sale,qr\n")
    services.clock = lambda: NOW + timedelta(days=2)  # the batch arrives after the sales
    import_transactions(services, rows.encode())
    sweep_ledger(services, NOW + timedelta(days=2))
    page = client.get(path).text
    assert "合格交易 ¥4,000 / ¥10,000，剩\u2060余\u00a059\u00a0天" in page
    assert "银行卡交易计入；扫码交易和退款不计入。" in page
    assert 'aria-valuenow="40"' in page
    english = client.get(f"{path}?lang=en").text
    assert "¥4,000 of ¥10,000 qualifying volume, 59\u00a0days\u00a0left" in english
    assert "Card payments count; QR payments and refunds do not." in english
    services.clock = lambda: NOW + timedelta(days=3)
    import_transactions(services, ("txn_id,terminal_sn,occurred_at,amount_fen,kind,channel\n"
                                   "P3,SN-PAGE-1,2026-11-24T10:00:00+08:00,600000,sale,card_swipe\n").encode())
    sweep_ledger(services, NOW + timedelta(days=3))
    page = client.get(f"{path}?lang=zh").text  # the English page above set the language cookie
    assert "押金 ¥99 已于 2026-11-25 退还至尾号 0123 的账户。" in page
    assert "Deposit of ¥99 refunded to account ****0123 on 25 Nov 2026." in client.get(f"{path}?lang=en").text
