"""What the back office's terminals and deposits pages show and do (read models and ops actions)."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from onboarding.domain.terminals import Deposit, DepositState, LedgerError, TerminalState
from onboarding.service.deposits import deposits_report
from onboarding.service.ledger_views import deposit_projection
from onboarding.service.ports import CaseServices
from onboarding.service.queue import QueueRefused as FilterRefused
from onboarding.service.request_sweep import BATCH, plan_batch
from onboarding.service.terminals import add_terminal

PAGE_SIZE = 50
TIMELINE = (("added_at", "added to stock"), ("assigned_at", "reserved for the application"),
            ("shipped_at", "shipped"), ("activation_flagged_at", "flagged: not activated in time"),
            ("activated_at", "activated (first qualifying sale)"), ("last_transaction_at", "last transaction"),
            ("suspended_at", "suspended (dormant)"))


def _local(services: CaseServices, value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(ZoneInfo(services.settings.timezone)).isoformat()


def _page(value: int) -> tuple[int, int]:
    if value < 1:
        raise FilterRefused("page: a number from 1")
    return PAGE_SIZE, (value - 1) * PAGE_SIZE


def terminals_page(services: CaseServices, state: str | None = None, model: str | None = None,
                   page: int = 1) -> dict[str, Any]:
    if state and state not in {s.value for s in TerminalState}:
        raise FilterRefused(f"state: one of {', '.join(s.value for s in TerminalState)}")
    limit, offset = _page(page)
    with services.uow() as uow:
        total, rows = uow.ledger_lists.terminals(state or None, model or None, limit, offset)
        counts = uow.ledger_lists.terminal_counts()
    return {"page": page, "pages": max(1, -(-total // PAGE_SIZE)), "total": total,
            "counts": {s.value: counts.get(s.value, 0) for s in TerminalState},
            "terminals": [{**{k: (_local(services, v) if isinstance(v, datetime) else v) for k, v in r.items()},
                           "state": str(r["state"])} for r in rows]}


def terminal_detail(services: CaseServices, serial_number: str) -> dict[str, Any]:
    with services.uow() as uow:
        row = uow.ledger_lists.terminal(serial_number)
        if row is None:
            raise LedgerError(f"no terminal {serial_number} in inventory")
        events = uow.ledger_lists.terminal_events(row["application_id"]) if row["application_id"] else []
    timeline = [{"at": row[column], "what": label, "by": None} for column, label in TIMELINE if row[column]]
    timeline += [{"at": e["at"], "what": e["action"] + (f" → {e['to_state']}" if e["to_state"] else "")
                  + (f": {e['reason']}" if e["reason"] else ""), "by": e["actor"]} for e in events]
    timeline.sort(key=lambda item: item["at"])
    return {**{k: (_local(services, v) if isinstance(v, datetime) else v) for k, v in row.items()},
            "state": str(row["state"]),
            "history": [{**item, "at": _local(services, item["at"])} for item in timeline]}


def deposits_page(services: CaseServices, state: str | None = None, page: int = 1) -> dict[str, Any]:
    if state and state not in {s.value for s in DepositState}:
        raise FilterRefused(f"state: one of {', '.join(s.value for s in DepositState)}")
    limit, offset = _page(page)
    now = services.clock()
    with services.uow() as uow:
        total, rows = uow.ledger_lists.deposits(state or None, limit, offset)
    listed = []
    for r in rows:
        deposit = Deposit(application_id=r["application_id"], terminal_sn=r["terminal_sn"], amount_fen=r["amount_fen"],
                          threshold_fen=r["threshold_fen"], window_days=r["window_days"], policy_version="",
                          taken_at=r["taken_at"], state=DepositState(r["state"]),
                          window_starts_at=r["window_starts_at"], deadline=r["deadline"],
                          qualifying_volume_fen=r["qualifying_volume_fen"])
        listed.append({**{k: (_local(services, v) if isinstance(v, datetime) else v) for k, v in r.items()},
                       "state": str(r["state"]), "projection": deposit_projection(deposit, now)})
    return {"page": page, "pages": max(1, -(-total // PAGE_SIZE)), "total": total, "deposits": listed,
            "report": deposits_report(services, now)}


def add_terminal_by_staff(services: CaseServices, serial_number: str, model: str, *, actor: str) -> bool:
    added = add_terminal(services, serial_number, model)
    with services.uow() as uow:
        uow.staff.record_event(services.clock(), actor, "terminal_added", None,
                               {"serial_number": serial_number.strip(), "model": model.strip(), "new": added})
        uow.commit()
    return added


def sweep_preview(services: CaseServices, as_of: datetime | None = None) -> dict[str, Any]:
    """What a sweep at `as_of` would do with requests (reminders, expiries) and deposits, changing nothing."""
    as_of = as_of or services.clock()
    counts, after_id = {"reminders": 0, "expired": 0}, 0
    while True:
        with services.uow() as uow:
            due = uow.request_sweep.due(as_of, after_id, BATCH)
        if not due:
            break
        _, found = plan_batch(services, due, as_of)
        counts = {k: counts[k] + found[k] for k in counts}
        after_id = due[-1].id
    report = deposits_report(services, as_of)
    refunds = [d for d in report["due_next_7_days"] if d["reason"] == "threshold_reached"]
    return {"as_of": as_of.isoformat(), "dry_run": True, "requests": counts,
            "deposits": {"refunds_due": len(refunds), "refunds_due_fen": report["refunds_due_fen"],
                         "deadline_within_7_days": len(report["due_next_7_days"]) - len(refunds),
                         "activation_overdue": report["activation_overdue"]}}
