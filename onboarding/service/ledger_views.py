"""What staff see of the ledger, as JSON-ready dicts: the `terminal` and `deposit` parts of `onboard show
--json` (INTERFACE.md), a deposit's transactions with what each did to it and why, quarantined terminals."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from onboarding.domain.ledger_rules import REASON_TEXT, Reason
from onboarding.domain.terminals import Deposit, DepositState, LedgerError, Terminal
from onboarding.service.ports import SealedRecords
from onboarding.service.terminals import policies_of


def _local(services: SealedRecords, value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(ZoneInfo(services.settings.timezone)).isoformat()


def terminal_view(services: SealedRecords, application_id: str) -> dict[str, Any] | None:
    with services.uow() as uow:
        terminal = uow.ledger.terminal_for_application(application_id)
    return None if terminal is None else terminal_dict(services, terminal)


def deposit_view(services: SealedRecords, application_id: str) -> dict[str, Any] | None:
    with services.uow() as uow:
        deposit = uow.ledger.deposit_for(application_id)
    return None if deposit is None else deposit_dict(services, deposit)


def terminal_dict(services: SealedRecords, terminal: Terminal) -> dict[str, Any]:
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
        "quarantine": None if terminal.quarantined_at is None else {
            "since": _local(services, terminal.quarantined_at), "reason": terminal.quarantine_reason},
    }


def deposit_dict(services: SealedRecords, deposit: Deposit) -> dict[str, Any]:
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


def deposit_transactions(services: SealedRecords, application_id: str, as_of: datetime | None = None) -> dict[str, Any]:
    """Every transaction of the application's terminal, with what it did to the deposit and why (the sweep's
    own rules): `counts` is `adds`, `subtracts` or `no`, `reason` a stable code with `why_en`/`why_zh`.
    Counted up to `as_of`: by default the moment a decided deposit was decided, else now. Rows of voided
    batches follow, as `voided`."""
    if as_of is not None and as_of.tzinfo is None:
        raise LedgerError("as_of needs a UTC offset")
    with services.uow() as uow:
        terminal = uow.ledger.terminal_for_application(application_id)
        deposit = uow.ledger.deposit_for(application_id)
        if terminal is None or deposit is None:
            uow.applications.get(application_id)  # ApplicationNotFound for an unknown id
            raise LedgerError(f"application {application_id} has no terminal shipped yet")
        if as_of is None:
            decided = deposit.state != DepositState.HELD and deposit.volume_as_of is not None
            as_of = deposit.volume_as_of if decided else services.clock()
        policies = policies_of(services)
        policy = policies.for_model(terminal.model) if terminal.model in policies.models else None
        rows = uow.ledger.review.explained_transactions(terminal.serial_number, policy, deposit.window_starts_at,
                                                        deposit.deadline, as_of)
        voided = uow.ledger.review.voided_transactions_of(terminal.serial_number)
    return {
        "application_id": application_id, "terminal": terminal_dict(services, terminal),
        "deposit": deposit_dict(services, deposit), "as_of": _local(services, as_of),
        "qualifying_volume_fen": sum(row["signed_fen"] for row in rows),
        "transactions": [_explained(services, row) for row in rows],
        "voided": [{**_explained(services, {**row, "reason": Reason.VOIDED, "signed_fen": 0,
                                            "activated_terminal": False}),
                    "voided_at": _local(services, row["voided_at"]), "voided_by": row["voided_by"],
                    "void_reason": row["void_reason"]} for row in voided],
    }


def _explained(services: SealedRecords, row: dict[str, Any]) -> dict[str, Any]:
    reason = Reason(row["reason"])
    signed = int(row["signed_fen"])
    return {"txn_id": row["txn_id"], "occurred_at": _local(services, row["occurred_at"]),
            "amount_fen": int(row["amount_fen"]), "kind": str(row["kind"]), "channel": str(row["channel"]),
            "batch_id": row["batch_id"], "counts": "adds" if signed > 0 else "subtracts" if signed < 0 else "no",
            "signed_fen": signed, "reason": str(reason), "why_en": REASON_TEXT[reason][0],
            "why_zh": REASON_TEXT[reason][1], "activated_terminal": row["activated_terminal"]}


def quarantined_terminals(services: SealedRecords) -> list[dict[str, Any]]:
    """Terminals the sweep leaves to staff, oldest first, with the reason."""
    with services.uow() as uow:
        rows = uow.ledger.review.quarantined_terminals()
    return [{"serial_number": row["serial_number"], "model": row["model"], "state": str(row["state"]),
             "application_id": row["application_id"], "since": _local(services, row["quarantined_at"]),
             "reason": row["quarantine_reason"], "gross_fen": int(row["gross_fen"]),
             "largest_fen": int(row["largest_fen"])} for row in rows]
