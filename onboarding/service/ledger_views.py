"""The `terminal` and `deposit` parts of `onboard show --json` (INTERFACE.md), as JSON-ready dicts."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from onboarding.bootstrap import Services
from onboarding.domain.terminals import Deposit, Terminal


def _local(services: Services, value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(ZoneInfo(services.settings.timezone)).isoformat()


def terminal_view(services: Services, application_id: str) -> dict[str, Any] | None:
    with services.uow() as uow:
        terminal = uow.ledger.terminal_for_application(application_id)
    return None if terminal is None else terminal_dict(services, terminal)


def deposit_view(services: Services, application_id: str) -> dict[str, Any] | None:
    with services.uow() as uow:
        deposit = uow.ledger.deposit_for(application_id)
    return None if deposit is None else deposit_dict(services, deposit)


def terminal_dict(services: Services, terminal: Terminal) -> dict[str, Any]:
    return {
        "serial_number": terminal.serial_number,
        "state": str(terminal.state),
        "model": terminal.model,
        "shipped_at": _local(services, terminal.shipped_at),
        "activated_at": _local(services, terminal.activated_at),
        "activation_deadline": _local(services, terminal.activation_deadline),
        "activation_overdue": terminal.activation_flagged_at is not None and terminal.activated_at is None,
        "last_transaction_at": _local(services, terminal.last_transaction_at),
        "suspended_at": _local(services, terminal.suspended_at),
    }


def deposit_dict(services: Services, deposit: Deposit) -> dict[str, Any]:
    return {
        "state": str(deposit.state),
        "amount_fen": deposit.amount_fen,
        "qualifying_volume_fen": deposit.qualifying_volume_fen,
        "threshold_fen": deposit.threshold_fen,
        "deadline": _local(services, deposit.deadline),
        "window_days": deposit.window_days,
        "volume_as_of": _local(services, deposit.volume_as_of),
        "decided_at": _local(services, deposit.decided_at),
        "policy_version": deposit.policy_version,
    }


def deposit_projection(deposit: Deposit, as_of: datetime) -> dict[str, Any]:
    """Where a held deposit is heading at the volume's pace so far: for staff answering "will I get it back?"."""
    if deposit.state != "held":
        return {"outcome": str(deposit.state), "note": f"deposit {deposit.state}"}
    remaining = max(deposit.threshold_fen - deposit.qualifying_volume_fen, 0)
    if deposit.window_starts_at is None or deposit.deadline is None:
        return {"outcome": "waiting_for_activation", "remaining_fen": remaining,
                "note": "the refund window opens when the terminal is activated"}
    if remaining == 0:
        return {"outcome": "refund_due", "remaining_fen": 0, "note": "threshold reached: refunded at the next sweep"}
    days_left = max((deposit.deadline - as_of).total_seconds() / 86400, 0.0)
    elapsed = max((as_of - deposit.window_starts_at).total_seconds() / 86400, 0.0)
    if days_left == 0:
        return {"outcome": "forfeit_due", "remaining_fen": remaining, "days_left": 0,
                "note": "window closed short of the threshold: forfeited at the next sweep"}
    projected = round(deposit.qualifying_volume_fen / elapsed * deposit.window_days) if elapsed >= 1 else None
    on_track = projected is not None and projected >= deposit.threshold_fen
    return {"outcome": "on_track" if on_track else "at_risk", "remaining_fen": remaining,
            "days_left": round(days_left, 1), "projected_volume_fen": projected,
            "note": (f"{remaining / 100:,.2f} yuan more within {days_left:.0f} days"
                     + ("" if projected is None else f"; at this pace {projected / 100:,.2f} yuan by the deadline"))}
