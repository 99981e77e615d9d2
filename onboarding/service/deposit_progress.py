"""A terminal's deposit progress: qualifying volume, which transactions counted and which did not (the ledger's
own rules, `uow.ledger.review.explained_transactions`), the deadline, what counts under its policy, and the
refund once made. What a deposit complaint and the merchant's page show."""
from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from onboarding.domain.ledger_rules import REASON_TEXT, Reason
from onboarding.domain.terminals import DepositState
from onboarding.service.ledger_views import _local
from onboarding.service.ports import SealedRecords
from onboarding.service.terminals import policies_of

MAX_LISTED = 200  # the newest ones; the volume is over all of them


def deposit_progress(services: SealedRecords, uow, application_id: str,
                     as_of: datetime | None = None) -> dict[str, Any] | None:
    deposit = uow.ledger.deposit_for(application_id)
    terminal = uow.ledger.terminal_for_application(application_id)
    if deposit is None or terminal is None:
        return None
    held = deposit.state == DepositState.HELD
    as_of = as_of or services.clock()
    counted_to = as_of if held or deposit.volume_as_of is None else deposit.volume_as_of
    policies = policies_of(services)
    policy = policies.for_model(terminal.model) if terminal.model in policies.models else None
    rows = uow.ledger.review.explained_transactions(terminal.serial_number, policy, deposit.window_starts_at,
                                                    deposit.deadline, counted_to)
    days_left = None
    if held and deposit.deadline is not None:
        days_left = max(0, math.ceil((deposit.deadline - as_of).total_seconds() / 86400))
    refunds = uow.ledger.refund_instructions_for(application_id)
    return {
        "terminal_sn": terminal.serial_number,
        "model": terminal.model,
        "state": str(deposit.state),
        "amount_fen": deposit.amount_fen,
        "threshold_fen": deposit.threshold_fen,
        # Held: what the transactions on file add up to now (the sweep's figure can be a little behind).
        "qualifying_volume_fen": sum(int(r["signed_fen"]) for r in rows) if held else deposit.qualifying_volume_fen,
        "window_starts_at": _local(services, deposit.window_starts_at),
        "deadline": _local(services, deposit.deadline),
        "days_left": days_left,
        "counting": {"channels": sorted(str(c) for c in policy.qualifying_channels) if policy else [],
                     "kinds": sorted(str(k) for k in policy.qualifying_kinds) if policy else [],
                     "subtracting_kinds": sorted(str(k) for k in policy.subtracting_kinds) if policy else []},
        "transactions": [
            {"txn_id": r["txn_id"], "occurred_at": _local(services, r["occurred_at"]),
             "amount_fen": int(r["amount_fen"]), "kind": str(r["kind"]), "channel": str(r["channel"]),
             "counted_fen": int(r["signed_fen"]), "reason": str(Reason(r["reason"])),
             "why_en": REASON_TEXT[Reason(r["reason"])][0], "why_zh": REASON_TEXT[Reason(r["reason"])][1]}
            for r in rows[-MAX_LISTED:]
        ],
        "counted": sum(1 for r in rows if int(r["signed_fen"]) > 0),
        "not_counted": sum(1 for r in rows if int(r["signed_fen"]) <= 0),
        "refund": None if not refunds else {
            "amount_fen": refunds[-1]["amount_fen"], "account_last4": refunds[-1]["account_number"][-4:],
            "bank_name": refunds[-1]["bank_name"], "created_at": _local(services, refunds[-1]["created_at"]),
            "sent_at": _local(services, refunds[-1]["sent_at"])},
    }
