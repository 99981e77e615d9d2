"""What the merchant is told after approval (changes, codes, complaints), Chinese first then English.

Pure: values in, `Notice` out. Every notice names the link to the merchant's page when there is one.
"""
from __future__ import annotations

from onboarding.notifications.messages import Notice

FIELD_NAMES = {
    "phone": ("手机号", "phone number"),
    "email": ("电子邮箱", "e-mail address"),
    "business_address": ("经营地址", "business address"),
    "settlement_account": ("结算账户", "settlement account"),
}


def _fields(fields: list[str]) -> tuple[str, str]:
    zh = "、".join(FIELD_NAMES.get(f, (f, f))[0] for f in fields)
    en = ", ".join(FIELD_NAMES.get(f, (f, f))[1] for f in fields)
    return zh, en


def _link(url: str | None) -> tuple[str, str, str]:
    """(zh line, en line, sms tail) pointing at the merchant's page, or nothing when no link may be sent."""
    if not url:
        return "", "", ""
    return f"\n查看进度、投诉或修改资料：{url}", f"\nYour page (progress, complaints, changes): {url}", f" {url}"


def change_requested(application_id: str, change_id: str, fields: list[str], url: str | None) -> Notice:
    zh, en = _fields(fields)
    link_zh, link_en, sms = _link(url)
    return Notice(
        event=f"change-{change_id}-requested",
        subject=f"资料修改申请 / Change of details requested ({application_id})",
        body=(f"我们收到了修改您{zh}的申请（{change_id}）。如非本人操作，请立即联系我们。{link_zh}\n\n"
              f"We received a request to change your {en} ({change_id}). If this was not you, contact us at once."
              f"{link_en}\n"),
        sms=f"【商户入网】收到修改{zh}的申请（{change_id}），如非本人操作请立即联系我们。{sms}",
    )


def change_code(change_id: str, field: str, code: str, minutes: int, send_number: int) -> Notice:
    zh, en = _fields([field])
    return Notice(
        event=f"change-{change_id}-code-{field}-{send_number}",
        subject=f"验证码 / Verification code {code}",
        body=(f"您的验证码是 {code}，用于确认新的{zh}，{minutes}分钟内有效。如非本人操作，请忽略本消息。\n\n"
              f"Your code is {code}. It confirms your new {en} and is valid for {minutes} minutes. "
              f"If you did not ask for it, ignore this message.\n"),
        sms=f"【商户入网】验证码 {code}，用于确认新的{zh}，{minutes}分钟内有效。如非本人操作请忽略。",
    )


def change_documents_needed(application_id: str, change_id: str, items: list[dict], url: str | None,
                            check_number: int) -> Notice:
    zh_lines = "\n".join(f"  - {i['message_zh']}" for i in items)
    en_lines = "\n".join(f"  - {i['message_en']}" for i in items)
    link_zh, link_en, sms = _link(url)
    return Notice(
        event=f"change-{change_id}-documents-{check_number}",
        subject=f"修改资料需补充材料 / Your change needs documents ({application_id})",
        body=(f"您的资料修改申请（{change_id}）需要：\n{zh_lines}{link_zh}\n\n"
              f"Your change of details ({change_id}) needs:\n{en_lines}{link_en}\n"),
        sms=f"【商户入网】资料修改申请{change_id}需补充{len(items)}项材料，请上传。{sms}",
    )


def change_applied(application_id: str, change_id: str, fields: list[str], url: str | None,
                   account_last4: str | None) -> Notice:
    zh, en = _fields(fields)
    account_zh = f"此后的退款将转入尾号{account_last4}的账户。" if account_last4 else ""
    account_en = f" Refunds from now on go to the account ending {account_last4}." if account_last4 else ""
    link_zh, link_en, sms = _link(url)
    return Notice(
        event=f"change-{change_id}-applied",
        subject=f"资料已修改 / Details changed ({application_id})",
        body=(f"您的{zh}已按申请（{change_id}）修改。{account_zh}如非本人操作，请立即联系我们。{link_zh}\n\n"
              f"Your {en} changed as requested ({change_id}).{account_en} If this was not you, contact us at once."
              f"{link_en}\n"),
        sms=f"【商户入网】您的{zh}已修改（{change_id}）。{account_zh}{sms}",
    )


def change_refused(application_id: str, change_id: str, reasons_zh: list[str], reasons_en: list[str],
                   url: str | None) -> Notice:
    link_zh, link_en, sms = _link(url)
    zh, en = "；".join(reasons_zh) or "未通过审核", " ".join(reasons_en) or "It was not approved."
    return Notice(
        event=f"change-{change_id}-refused",
        subject=f"资料修改未通过 / Change of details not made ({application_id})",
        body=(f"您的资料修改申请（{change_id}）未通过：{zh}原资料保持不变。{link_zh}\n\n"
              f"Your change of details ({change_id}) was not made: {en} Your details stay as they were.{link_en}\n"),
        sms=f"【商户入网】资料修改申请{change_id}未通过：{zh}{sms}",
    )


def complaint_received(application_id: str, complaint_id: str, category_zh: str, category_en: str,
                       due_zh: str, due_en: str, url: str | None) -> Notice:
    link_zh, link_en, sms = _link(url)
    return Notice(
        event=f"complaint-{complaint_id}-received",
        subject=f"投诉已受理 / Complaint received ({complaint_id})",
        body=(f"我们已收到您关于“{category_zh}”的投诉（{complaint_id}），工作人员将于{due_zh}前与您联系。{link_zh}\n\n"
              f"We have your complaint about “{category_en}” ({complaint_id}); our staff will contact you by "
              f"{due_en}.{link_en}\n"),
        sms=f"【商户入网】投诉{complaint_id}已收到，工作人员将于{due_zh}前与您联系。{sms}",
    )


def complaint_update(application_id: str, complaint_id: str, kind: str, text: str, url: str | None,
                     sequence: int) -> Notice:
    """kind: acknowledged | answer | resolved | closed | reopened. `text` is staff's own words, if any."""
    titles = {
        "acknowledged": ("投诉处理中", "Complaint being handled", "工作人员已开始处理您的投诉。",
                         "Our staff have started on your complaint."),
        "answer": ("投诉回复", "Reply to your complaint", "", ""),
        "resolved": ("投诉已处理，请确认", "Complaint resolved: please confirm", "",
                     ""),
        "closed": ("投诉已关闭", "Complaint closed", "", ""),
        "reopened": ("投诉已重新打开", "Complaint reopened", "您的投诉已重新打开，我们会尽快处理。",
                     "Your complaint is open again; we are on it."),
    }
    title_zh, title_en, default_zh, default_en = titles[kind]
    confirm_zh = "如问题已解决，请打开链接确认；如未解决，可在链接中重新打开投诉。" if kind == "resolved" else ""
    confirm_en = (" If the problem is solved, please confirm through the link; if not, reopen the complaint there."
                  if kind == "resolved" else "")
    link_zh, link_en, sms = _link(url)
    said = text.strip()
    return Notice(
        event=f"complaint-{complaint_id}-{kind}-{sequence}",
        subject=f"{title_zh} / {title_en} ({complaint_id})",
        body=(f"{title_zh}（{complaint_id}）：{said or default_zh}{confirm_zh}{link_zh}\n\n"
              f"{title_en} ({complaint_id}): {said or default_en}{confirm_en}{link_en}\n"),
        sms=f"【商户入网】{title_zh}（{complaint_id}）：{(said or default_zh)[:60]}{confirm_zh}{sms}",
    )
