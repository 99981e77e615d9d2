"""What the merchant is told, Chinese first then English. Pure: values in, (subject, body) out."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Notice:
    event: str
    subject: str
    body: str
    sms: str


def _when(at: datetime, tz) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def request_opened(application_id: str, business_name: str, items: list[dict[str, Any]], url: str,
                   due_at: datetime, tz, round_number: int) -> Notice:
    zh_lines = "\n".join(f"  - {i['message_zh']}" for i in items)
    en_lines = "\n".join(f"  - {i['message_en']}" for i in items)
    due = _when(due_at, tz)
    body = (
        f"您好，{business_name}：\n\n您的POS商户入网申请（{application_id}）需要补充以下资料：\n{zh_lines}\n\n"
        f"请在 {due} 前打开以下链接上传：\n{url}\n\n"
        f"Hello {business_name},\n\nYour POS merchant application ({application_id}) needs the following:\n"
        f"{en_lines}\n\nPlease upload them before {due} (Beijing time) at:\n{url}\n"
    )
    return Notice(
        event=f"request-{round_number}",
        subject=f"【补充资料】商户入网申请 {application_id} / Documents needed for your application",
        body=body,
        sms=f"【商户入网】您的申请{application_id}需补充{len(items)}项资料，请于{due}前上传：{url}",
    )


def request_reminder(application_id: str, items: list[dict[str, Any]], url: str, due_at: datetime, tz,
                     label: str) -> Notice:
    due = _when(due_at, tz)
    names = "、".join(sorted({i["message_zh"].split("，")[0] for i in items}))
    return Notice(
        event=f"reminder-{label}",
        subject=f"【提醒】请补充资料 / Reminder: documents still needed ({application_id})",
        body=(f"您的商户入网申请（{application_id}）仍缺少资料：{names}。\n请在 {due} 前上传：{url}\n\n"
              f"Your application ({application_id}) is still waiting for {len(items)} document(s). "
              f"Please upload before {due}: {url}\n"),
        sms=f"【商户入网】提醒：申请{application_id}仍缺{len(items)}项资料，{due}前未补充将失效：{url}",
    )


def application_expired(application_id: str) -> Notice:
    return Notice(
        event="expired",
        subject=f"申请已失效 / Application expired ({application_id})",
        body=(f"由于未在期限内收到补充资料，您的商户入网申请（{application_id}）已失效。如需继续，请重新申请。\n\n"
              f"We did not receive the requested documents in time, so application {application_id} has expired. "
              f"Please apply again if you still want a terminal.\n"),
        sms=f"【商户入网】申请{application_id}因未按期补充资料已失效，如需办理请重新申请。",
    )


def application_approved(application_id: str, business_name: str, url: str | None = None,
                         call_by: str | None = None) -> Notice:
    """`url`: the merchant's page; `call_by`: when we will phone to confirm their details (回访), if we will."""
    call_zh = f"我们将于{call_by}前致电与您核对资料。" if call_by else ""
    call_en = f" We will call you by {call_by} to confirm your details." if call_by else ""
    link_zh = f"\n查看进度、投诉或修改资料：{url}" if url else ""
    link_en = f"\nYour page (progress, complaints, changes): {url}" if url else ""
    return Notice(
        event="approved",
        subject=f"审核通过 / Application approved ({application_id})",
        body=(f"您好，{business_name}：您的商户入网申请（{application_id}）已审核通过，我们将尽快寄出POS终端。"
              f"{call_zh}{link_zh}\n\n"
              f"Hello {business_name}, your application ({application_id}) is approved; "
              f"your POS terminal will be shipped shortly.{call_en}{link_en}\n"),
        sms=f"【商户入网】申请{application_id}已审核通过，POS终端将尽快寄出。{call_zh}" + (f" {url}" if url else ""),
    )


def application_in_review(application_id: str) -> Notice:
    return Notice(
        event="in-review",
        subject=f"资料已收到 / Documents received ({application_id})",
        body=(f"您的资料已收到，工作人员将在24小时内完成审核（申请号 {application_id}）。\n\n"
              f"We have your documents; our staff will review application {application_id} within 24 hours.\n"),
        sms=f"【商户入网】资料已收到，申请{application_id}将在24小时内完成人工审核。",
    )


def application_rejected(application_id: str, reasons: list[str], reasons_en: list[str] | None = None) -> Notice:
    zh = "；".join(r.rstrip("。") for r in reasons) or "不符合入网条件"
    en = " ".join(reasons_en or []) or "It does not meet the onboarding conditions."
    return Notice(
        event="rejected",
        subject=f"申请未通过 / Application declined ({application_id})",
        body=(f"很抱歉，您的商户入网申请（{application_id}）未通过：{zh}。\n\n"
              f"We are sorry: application {application_id} was declined. {en}\n"),
        sms=f"【商户入网】很抱歉，申请{application_id}未通过审核：{zh}",
    )


def application_withdrawn(application_id: str) -> Notice:
    return Notice(
        event="withdrawn",
        subject=f"申请已撤回 / Application withdrawn ({application_id})",
        body=(f"您的商户入网申请（{application_id}）已按您的要求撤回，之前的上传链接已失效。如需办理，请重新申请。\n\n"
              f"Application {application_id} has been withdrawn as you asked; earlier upload links no longer work. "
              f"Please apply again if you still want a terminal.\n"),
        sms=f"【商户入网】申请{application_id}已撤回，之前的上传链接已失效。",
    )


def link_reissued(application_id: str, url: str, resend: int) -> Notice:
    """Staff changed the contact after the old links were stopped: the merchant's page, at the new contact."""
    return Notice(
        event=f"link-reissued-{resend}",
        subject=f"新的链接 / Your new link ({application_id})",
        body=(f"您的联系方式已更新，之前的链接已失效。查看申请（{application_id}）的进度：\n{url}\n\n"
              f"Your contact details were updated and earlier links no longer work. "
              f"Your application ({application_id}): {url}\n"),
        sms=f"【商户入网】联系方式已更新，旧链接已失效。申请{application_id}的新链接：{url}",
    )
