"""The words of the merchant's page after approval (status, terminal, deposit, complaints, changes), Chinese
first, English second. Kept apart from `texts` (the upload page's) so each page's words stay in one place."""
from __future__ import annotations

from onboarding.portal.texts import Lang

TEXTS: dict[str, dict[Lang, str]] = {
    "page_title": {"zh": "我的申请", "en": "My application"},
    "progress": {"zh": "办理进度", "en": "Progress"},
    "step_submitted": {"zh": "提交申请", "en": "Applied"},
    "step_review": {"zh": "资料审核", "en": "Review"},
    "step_call": {"zh": "电话核对", "en": "Call"},
    "step_shipped": {"zh": "终端寄出", "en": "Shipped"},
    "step_active": {"zh": "终端激活", "en": "Active"},
    "step_refunded": {"zh": "押金退还", "en": "Deposit back"},
    "next_heading": {"zh": "下一步", "en": "What happens next"},
    "status_heading": {"zh": "当前状态", "en": "Where things stand"},
    "next_checking": {"zh": "资料正在自动审核，通常几分钟内出结果。",
                      "en": "Your documents are being checked; this usually takes a few minutes."},
    "next_upload": {"zh": "请在 {by}前上传下方列出的资料，资料齐全后自动重新审核。",
                    "en": "Please upload the documents listed below by {by}; we check them again as soon as they arrive."},
    "next_review": {"zh": "工作人员正在审核，将在 {by}前给您结果。",
                    "en": "Our staff are reviewing your application and will answer by {by}."},
    "next_call": {"zh": "我们将在 {by}前致电您，核对法人姓名、经营地址、结算卡尾号、机型和押金条款，核对后寄出终端。",
                  "en": "We will call you by {by} to confirm your name, business address, the last digits "
                        "of your settlement card, the device and the deposit terms; the terminal ships after the call."},
    "next_change_then_ship": {"zh": "您在电话中告诉我们资料有变，请完成下方的资料修改，修改完成后寄出终端。",
                              "en": "You told us on the phone that some details changed: please finish the change "
                                    "below; the terminal ships once it is done."},
    "next_ship": {"zh": "审核已通过，终端将尽快寄出。", "en": "Approved: your terminal will be shipped shortly."},
    "next_activate": {"zh": "终端已寄出。收到后请在 {by}前用它完成一笔不低于 {min} 的刷卡交易，终端即激活。",
                      "en": "Your terminal has shipped. Once it arrives, make one card payment of at least {min} on "
                            "it by {by} to activate it."},
    "next_deposit": {"zh": "终端已激活。在 {by}前合格交易累计满 {threshold}，押金 {amount} 即退还。",
                     "en": "Your terminal is active. Once qualifying payments reach {threshold} (by {by}), your "
                           "deposit of {amount} is refunded."},
    "next_refund_after_change": {"zh": "交易额已达标！您的结算账户正在变更，变更完成后押金将退还至新账户。",
                                 "en": "Target reached! Your settlement account is being changed; the deposit is "
                                       "refunded to the new account once the change is done."},
    "next_refunded": {"zh": "押金已退还，感谢您的使用。", "en": "Your deposit has been refunded. Thank you."},
    "next_forfeited": {"zh": "押金未在期限内达到退还条件。如有疑问，请在下方提交投诉。",
                       "en": "The deposit did not meet the refund condition in time. If you disagree, make a "
                             "complaint below."},
    "next_nothing": {"zh": "目前无需您操作。", "en": "Nothing to do right now."},
    "terminal_heading": {"zh": "终端", "en": "Terminal"},
    "serial_number": {"zh": "序列号", "en": "Serial number"},
    "activation_by": {"zh": "激活截止：{by}", "en": "Activate by {by}"},
    "terminal_waiting": {"zh": "待激活", "en": "Not yet active"},
    "terminal_active": {"zh": "已激活（{at}）", "en": "Active since {at}"},
    "terminal_overdue": {"zh": "未在期限内激活，请联系我们", "en": "Not activated in time; please contact us"},
    "terminal_suspended": {"zh": "已停用（长期无交易）", "en": "Suspended (no payments for a long time)"},
    "deposit_heading": {"zh": "押金", "en": "Deposit"},
    # No-break spaces and a word joiner keep "剩余 54 天" / "54 days left" on one line.
    "deposit_progress": {"zh": "合格交易 {volume} / {threshold}，剩\u2060余\u00a0{days}\u00a0天",
                         "en": "{volume} of {threshold} qualifying volume, {days}\u00a0days\u00a0left"},
    "deposit_progress_done": {"zh": "合格交易 {volume} / {threshold}", "en": "{volume} of {threshold} qualifying volume"},
    "deposit_not_started": {"zh": "押金 {amount}：终端激活后 {days} 天内合格交易满 {threshold} 即退还。",
                            "en": "Deposit {amount}: refunded once qualifying payments reach {threshold} within "
                                  "{days} days of activation."},
    "deposit_deadline": {"zh": "截止日期：{by}", "en": "Deadline: {by}"},
    "deposit_refunded": {"zh": "押金 {amount} 已于 {at} 退还至尾号 {last4} 的账户。",
                         "en": "Deposit of {amount} refunded to account ****{last4} on {at}."},
    "deposit_forfeited": {"zh": "押金 {amount} 未退还：期限内合格交易 {volume}，未达 {threshold}。",
                          "en": "Deposit of {amount} not refunded: {volume} of qualifying payments in the window, "
                                "short of {threshold}."},
    "deposit_waits_for_change": {"zh": "结算账户变更处理中，押金退还将在变更完成后进行。",
                                 "en": "Your settlement account is being changed; the refund waits until that is done."},
    "complaints_heading": {"zh": "我的投诉", "en": "My complaints"},
    "complaint_new": {"zh": "遇到问题？提交投诉", "en": "A problem? Make a complaint"},
    "complaint_category": {"zh": "问题类型", "en": "What is it about"},
    "complaint_text": {"zh": "请描述问题", "en": "Tell us what happened"},
    "complaint_attachment": {"zh": "截图或照片（可选）", "en": "Screenshot or photo (optional)"},
    "complaint_submit": {"zh": "提交投诉", "en": "Send complaint"},
    "complaint_state_open": {"zh": "已提交", "en": "Received"},
    "complaint_state_acknowledged": {"zh": "处理中", "en": "Being handled"},
    "complaint_state_answered": {"zh": "已回复", "en": "Answered"},
    "complaint_state_resolved": {"zh": "待您确认", "en": "Please confirm"},
    "complaint_state_closed": {"zh": "已关闭", "en": "Closed"},
    "complaint_reply_by": {"zh": "我们将在 {by}前回复。", "en": "We will answer by {by}."},
    "complaint_confirm": {"zh": "问题已解决", "en": "Yes, it is solved"},
    "complaint_reopen": {"zh": "问题未解决，重新打开", "en": "Not solved: reopen"},
    "complaint_you_wrote": {"zh": "您的描述", "en": "You wrote"},
    "complaint_we_wrote": {"zh": "我们的回复", "en": "Our answer"},
    "change_heading": {"zh": "修改资料", "en": "Change my details"},
    "change_open_form": {"zh": "修改手机号、邮箱、地址或结算账户", "en": "Change phone, e-mail, address or account"},
    "change_rules": {"zh": "新手机号、邮箱需输入验证码确认；新经营地址需上传近期的经营场所证明；新结算账户需上传银行卡照片，"
                           "户名须与法人一致，并经人工审核。修改完成前，原资料继续有效。",
                     "en": "A new phone or e-mail is confirmed with a code; a new business address needs a recent proof "
                           "of address; a new settlement account needs a photo of the card, in your own name, and a "
                           "staff check. Until then your current details stay in force."},
    "change_phone": {"zh": "新手机号", "en": "New mobile number"},
    "change_email": {"zh": "新电子邮箱", "en": "New e-mail"},
    "change_address": {"zh": "新经营地址", "en": "New business address"},
    "change_account": {"zh": "新结算账户", "en": "New settlement account"},
    "change_holder": {"zh": "户名", "en": "Account holder"},
    "change_number": {"zh": "账号", "en": "Account number"},
    "change_bank": {"zh": "开户银行", "en": "Bank"},
    "change_submit": {"zh": "提交修改", "en": "Request the change"},
    "change_current_account": {"zh": "当前结算账户尾号 {last4}", "en": "Current settlement account ending {last4}"},
    "change_open": {"zh": "资料修改进行中", "en": "Change in progress"},
    "change_fields": {"zh": "修改内容：{fields}", "en": "Changing: {fields}"},
    "change_code": {"zh": "验证码（已发送至新{contact} {to}）", "en": "Code (sent to your new {contact} {to})"},
    "change_code_submit": {"zh": "确认", "en": "Confirm"},
    "change_resend": {"zh": "重新发送验证码", "en": "Send a new code"},
    "change_upload": {"zh": "上传材料", "en": "Send documents"},
    "change_checking": {"zh": "材料已收到，正在审核。", "en": "Documents received, being checked."},
    "change_approval": {"zh": "材料审核通过，等待工作人员确认。", "en": "Documents checked; waiting for our staff to confirm."},
    "change_cancel": {"zh": "取消修改", "en": "Cancel the change"},
    "change_state_applied": {"zh": "已生效", "en": "Done"},
    "change_state_refused": {"zh": "未通过", "en": "Not made"},
    "change_state_cancelled": {"zh": "已取消", "en": "Cancelled"},
    "change_state_expired": {"zh": "已过期", "en": "Expired"},
    "field_phone": {"zh": "手机号", "en": "phone"},
    "field_email": {"zh": "邮箱", "en": "e-mail"},
    "field_business_address": {"zh": "经营地址", "en": "business address"},
    "field_settlement_account": {"zh": "结算账户", "en": "settlement account"},
    "done_complaint_opened": {"zh": "投诉已提交，我们会尽快联系您。", "en": "Complaint sent; we will be in touch soon."},
    "done_complaint_confirmed": {"zh": "感谢确认，投诉已关闭。", "en": "Thank you; the complaint is closed."},
    "done_complaint_reopened": {"zh": "投诉已重新打开。", "en": "The complaint is open again."},
    "done_change_started": {"zh": "修改申请已提交，请按下方提示完成。", "en": "Change requested: please finish it below."},
    "done_code_confirmed": {"zh": "验证码正确。", "en": "Code confirmed."},
    "done_code_sent": {"zh": "新的验证码已发送。", "en": "A new code is on its way."},
    "done_documents_sent": {"zh": "材料已提交，正在审核。", "en": "Documents sent; checking them now."},
    "done_change_cancelled": {"zh": "修改已取消。", "en": "Change cancelled."},
    "done_change_applied": {"zh": "资料已修改。", "en": "Your details have changed."},
    "done_change_refused": {"zh": "修改未通过，原资料保持不变。", "en": "The change was not made; your details stay as they were."},
    "refused_complaint": {"zh": "投诉未能提交：{reason}", "en": "The complaint could not be sent: {reason}"},
    "refused_change": {"zh": "修改未能提交：{reason}", "en": "The change could not be requested: {reason}"},
    "refused_code": {"zh": "验证码不正确或已过期，请核对短信或重新发送。",
                     "en": "The code is wrong or has expired; check the message or send a new one."},
    "back_to_page": {"zh": "返回我的申请", "en": "Back to my application"},
    "refused_title": {"zh": "未能提交", "en": "Not sent"},
}

CHANNELS: dict[str, dict[Lang, str]] = {
    "card_swipe": {"zh": "刷卡", "en": "swiped card"},
    "card_chip": {"zh": "插卡", "en": "chip card"},
    "card_contactless": {"zh": "闪付", "en": "contactless"},
    "qr": {"zh": "扫码", "en": "QR"},
}
CARD_CHANNELS = frozenset({"card_swipe", "card_chip", "card_contactless"})


def text(lang: Lang, key: str, **values: object) -> str:
    return TEXTS[key][lang].format(**values) if values else TEXTS[key][lang]


def what_counts(lang: Lang, channels: list[str], subtracting: list[str]) -> str:
    """"Card payments count; QR payments and refunds do not", from the terminal's own deposit policy."""
    counted = [c for c in CHANNELS if c in set(channels)]
    others = [c for c in CHANNELS if c not in set(channels)]
    refunds = ["退款" if lang == "zh" else "refunds"] if subtracting else []
    if lang == "zh":
        yes = "银行卡交易" if set(counted) == CARD_CHANNELS else "、".join(CHANNELS[c]["zh"] for c in counted) + "交易"
        no = (["、".join(CHANNELS[c]["zh"] for c in others) + "交易"] if others else []) + refunds
        return f"{yes}计入" + (f"；{'和'.join(no)}不计入。" if no else "。")
    yes = "card payments" if set(counted) == CARD_CHANNELS else " and ".join(CHANNELS[c]["en"] for c in counted) + \
        " payments"
    no = ([" and ".join(CHANNELS[c]["en"] for c in others) + " payments"] if others else []) + refunds
    return f"{yes[:1].upper()}{yes[1:]} count" + (f"; {' and '.join(no)} do not." if no else ".")
