"""Import batches as staff see and correct them: the list, and voiding one (a wrong file from the acquirer,
or rows the sweep quarantined a terminal for). A void is audited on every application it touches, takes the
rows out of the ledger (kept in `voided_transactions`), and counts the held deposits of those terminals
again; what it cannot undo (a refund already sent, an activation by a voided row) it lists for staff.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from onboarding.domain.model import audit_fields
from onboarding.domain.terminals import LedgerError
from onboarding.service.ports import SealedRecords
from onboarding.service.terminals import policies_of

VOID_ACTION = "transactions_voided"


def _local(services: SealedRecords, value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(ZoneInfo(services.settings.timezone)).isoformat()


def list_batches(services: SealedRecords, limit: int = 50) -> list[dict[str, Any]]:
    """The newest `limit` batches: rows in the file, rows it added, rows of it in the ledger now, and the void."""
    if not 1 <= limit <= 10_000:
        raise LedgerError("limit must be between 1 and 10000")
    with services.uow() as uow:
        rows = uow.ledger.review.batches(limit)
    return [_batch_dict(services, row) for row in rows]


def _batch_dict(services: SealedRecords, row: dict[str, Any]) -> dict[str, Any]:
    return {"batch_id": row["id"], "source": row["source"], "sha256": row["sha256"],
            "imported_at": _local(services, row["imported_at"]), "rows": row["row_count"], "new": row["new_count"],
            "in_ledger": row.get("in_ledger"), "voided": row["voided_at"] is not None,
            "voided_at": _local(services, row["voided_at"]), "voided_by": row["voided_by"],
            "void_reason": row["void_reason"]}


def void_batch(services: SealedRecords, batch_id: str, *, reason: str, actor: str) -> dict[str, Any]:
    """Voids an imported batch. Voiding a voided batch changes nothing and says so (`already_voided`)."""
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError("a void needs a reason (--reason)")
    policies = policies_of(services)
    with services.uow() as uow:
        batch = uow.ledger.review.batch(batch_id)
        if batch is None:
            raise LedgerError(f"no batch {batch_id}")
        if batch["voided_at"] is not None:
            return {**_batch_dict(services, batch), "already_voided": True, "terminals": [], "recounted": [],
                    "decided_deposits_to_review": [], "activations_to_review": []}
        now = services.clock()
        touched = uow.ledger.review.void_batch(batch_id, now, actor, reason)
        recounted, activations = [], []
        for model in sorted({row["model"] for row in touched}):
            if model not in policies.models:
                continue  # the sweep quarantines these terminals; nothing can be counted for them
            recounted += uow.ledger.review.recount_held(batch_id, model, policies.for_model(model))
            activations += uow.ledger.review.activated_by_voided_rows(batch_id, model, policies.for_model(model))
        decided = uow.ledger.review.decided_on_voided_rows(batch_id)
        volumes = {row["terminal_sn"]: row for row in recounted}
        uow.ledger.add_events([
            audit_fields(row["application_id"], at=now, actor=actor, action=VOID_ACTION, reason=reason,
                         details={"batch_id": batch_id, "terminal_sn": row["terminal_sn"], "rows": row["rows"],
                                  "fen": int(row["fen"]), **_volume_change(volumes.get(row["terminal_sn"]))})
            for row in touched if row["application_id"]])
        uow.commit()
        voided = uow.ledger.review.batch(batch_id)
    return {**_batch_dict(services, voided), "already_voided": False,
            "terminals": [{"terminal_sn": row["terminal_sn"], "application_id": row["application_id"],
                           "rows": row["rows"], "fen": int(row["fen"])} for row in touched],
            "recounted": recounted,
            "decided_deposits_to_review": [{"application_id": row["application_id"], "terminal_sn": row["terminal_sn"],
                                            "state": str(row["state"]), "qualifying_volume_fen":
                                                row["qualifying_volume_fen"]} for row in decided],
            "activations_to_review": activations}


def _volume_change(row: dict[str, Any] | None) -> dict[str, int]:
    return {} if row is None else {"volume_before_fen": row["volume_before_fen"],
                                   "volume_after_fen": row["volume_after_fen"]}

