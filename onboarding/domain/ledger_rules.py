"""What the ledger's rules need from the domain: the ceilings, the calendar arithmetic of dormancy, and the
reasons a transaction does or does not count, in words.

The rules themselves are SQL, in one place (`onboarding.adapters.ledger_rules_sql`): the sweep applies them to
every terminal at once, and there is no Python copy to drift from them.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from rules.deposit_policy import DepositPolicy


@dataclass(frozen=True)
class LedgerLimits:
    """Ceilings that keep one bad row from stopping the ledger (settings `ledger_*`)."""

    max_transaction_fen: int  # one transaction
    max_terminal_fen: int  # all of one terminal's transactions added up: every sum over a terminal stays below it
    future_skew: timedelta  # how far past the import time a transaction may be dated (terminal clocks drift)


@dataclass(frozen=True)
class RuleScope:
    """The terminals the ledger's rules may be applied to: a policy for their device model, amounts within the
    ceilings. The sweep quarantines the others, and every rule leaves them out."""

    limits: LedgerLimits
    models: tuple[str, ...]


class Reason(StrEnum):
    """Why a transaction does or does not count towards the deposit target (stable codes)."""

    COUNTS = "counts"
    TAKES_BACK = "takes_back"
    CHANNEL_NOT_COUNTED = "channel_not_counted"
    KIND_NOT_COUNTED = "kind_not_counted"
    BEFORE_ACTIVATION = "before_activation"
    AFTER_DEADLINE = "after_deadline"
    NOT_YET = "not_yet"
    VOIDED = "voided"
    NO_POLICY = "no_policy"


REASON_TEXT: dict[Reason, tuple[str, str]] = {  # (English, 中文)
    Reason.COUNTS: ("a qualifying sale: adds to the volume", "符合条件的消费：计入交易额"),
    Reason.TAKES_BACK: ("a refund, reversal or void: takes its amount back off the volume",
                        "退款、冲正或撤销：从交易额中扣除"),
    Reason.CHANNEL_NOT_COUNTED: ("this payment channel does not count for this device model",
                                 "该支付方式不计入此机型的交易额"),
    Reason.KIND_NOT_COUNTED: ("this kind of transaction does not count", "该类交易不计入交易额"),
    Reason.BEFORE_ACTIVATION: ("before the terminal was activated: the window opens at activation",
                               "终端激活之前：考核期自激活起算"),
    Reason.AFTER_DEADLINE: ("after the deposit window closed", "押金考核期结束之后"),
    Reason.NOT_YET: ("after the time the volume was counted up to", "晚于交易额统计截止时间"),
    Reason.VOIDED: ("its batch was voided by staff", "所在批次已被工作人员作废"),
    Reason.NO_POLICY: ("no deposit policy for this device model: staff must look", "该机型无押金政策：待人工处理"),
}


def months_before(moment: datetime, months: int) -> datetime:
    """Calendar months back; the 31st becomes the month's last day (31 Mar − 1 month = 28/29 Feb)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def dormancy_cutoff(policy: DepositPolicy, as_of: datetime) -> datetime:
    """An active terminal with no transaction after this moment (up to `as_of`) is dormant."""
    return months_before(as_of, policy.dormant_months)
