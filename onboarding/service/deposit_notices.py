"""What the merchant is told about their deposit, in Chinese then English, by email (if any) and SMS."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from onboarding.domain.notifications import Channel, OutboxMessage
from onboarding.domain.terminals import DepositState, notice_key


def yuan(fen: int) -> str:
    """Integer fen shown as yuan without ever passing through a float: 1000000 → ¥10,000.00."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


@dataclass(frozen=True)
class DepositFacts:
    application_id: str
    state: DepositState
    serial_number: str
    amount_fen: int
    threshold_fen: int
    window_days: int
    volume_fen: int
    account_number: str
    email: str | None
    phone: str
    link: str | None = None  # the merchant's page: progress towards the refund, complaints


def _text(f: DepositFacts) -> tuple[str, str]:
    subject, body = _words(f)
    if not f.link:
        return subject, body
    zh, en = body.split("\n", 1)
    return subject, f"{zh}\n查看进度或投诉：{f.link}\n{en}\nProgress and complaints: {f.link}"


def _words(f: DepositFacts) -> tuple[str, str]:
    account = f"尾号 {f.account_number[-4:]}"
    if f.state == DepositState.HELD:
        return ("终端已发货，押金已收取 / Terminal shipped, deposit held",
                f"您的终端 {f.serial_number} 已发货，押金 {yuan(f.amount_fen)} 已收取。激活后 {f.window_days} 天内"
                f"刷卡交易满 {yuan(f.threshold_fen)}，押金将退还至您{account}的结算账户。\n"
                f"Your terminal {f.serial_number} has shipped and a deposit of {yuan(f.amount_fen)} is held. It is "
                f"refunded to your settlement account ending {f.account_number[-4:]} once card sales reach "
                f"{yuan(f.threshold_fen)} within {f.window_days} days of activation.")
    if f.state == DepositState.REFUNDED:
        return ("押金退还 / Deposit refunded",
                f"终端 {f.serial_number} 的交易已达 {yuan(f.volume_fen)}，押金 {yuan(f.amount_fen)} 将退还至您{account}"
                f"的结算账户。\nCard sales on terminal {f.serial_number} reached {yuan(f.volume_fen)}: your deposit of "
                f"{yuan(f.amount_fen)} is being refunded to your settlement account ending {f.account_number[-4:]}.")
    return ("押金未达退还条件 / Deposit not refunded",
            f"终端 {f.serial_number} 激活后 {f.window_days} 天内的交易为 {yuan(f.volume_fen)}，未达 "
            f"{yuan(f.threshold_fen)}，押金 {yuan(f.amount_fen)} 不予退还。如有疑问请联系客服。\n"
            f"Card sales on terminal {f.serial_number} in the {f.window_days} days after activation came to "
            f"{yuan(f.volume_fen)}, short of {yuan(f.threshold_fen)}: the deposit of {yuan(f.amount_fen)} is "
            f"not refunded. Contact us if you have questions.")


def deposit_notices(facts: DepositFacts, at: datetime) -> list[OutboxMessage]:
    subject, body = _text(facts)
    recipients = [(Channel.EMAIL, facts.email)] if facts.email else []
    recipients.append((Channel.SMS, facts.phone))
    return [
        OutboxMessage(idempotency_key=notice_key(facts.application_id, facts.state, channel), channel=channel,
                      recipient=recipient, subject=subject, body=body, created_at=at,
                      application_id=facts.application_id)
        for channel, recipient in recipients
    ]
