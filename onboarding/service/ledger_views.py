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
