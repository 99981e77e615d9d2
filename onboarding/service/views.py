"""Read models for staff: what `onboard show` and `onboard status` print, as plain JSON-ready dicts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from onboarding.domain.calls import CallState
from onboarding.domain.model import Application
from onboarding.domain.sla import sla_colour
from onboarding.domain.states import ApplicationState
from onboarding.service.calls import call_for_application
from onboarding.service.changes import change_dict
from onboarding.service.complaints import complaints_for_application
from onboarding.service.ledger_views import deposit_dict, terminal_dict
from onboarding.masking import mask_evidence, mask_fields, mask_in_text, mask_name, mask_number, mask_value
from onboarding.service.ports import CaseServices
from onboarding.service.requests import link_url
from onboarding.service.run_activity import UNDECIDED, run_activity, stalled_note

BLOCKER_BY_STATE = {
    ApplicationState.SUBMITTED: "waiting for checks",
    ApplicationState.CHECKING: "checks running",
    ApplicationState.MANUAL_REVIEW: "staff review",
    ApplicationState.APPROVED: "terminal to ship",
    ApplicationState.SHIPPED: "waiting for first transaction",
}


def _local(services: CaseServices, value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(ZoneInfo(services.settings.timezone)).isoformat()


def _deficiency(d: dict[str, Any], reveal: bool) -> dict[str, Any]:
    return d if reveal else {**d, "evidence": mask_evidence(d.get("evidence") or {}, d.get("field"))}


REVEAL_ACTION = "pii_revealed"
UNATTRIBUTED = "unattributed"


def application_view(services: CaseServices, application_id: str, *, reveal: bool = False,
                     actor: str | None = None, reason: str | None = None) -> dict[str, Any]:
    """With `reveal`, full ID and card numbers, and an audit event saying who saw them and why."""
    with services.uow() as uow:
        app = uow.applications.get(application_id)
        terminal = uow.ledger.terminal_for_application(application_id)
        deposit = uow.ledger.deposit_for(application_id)
        if reveal:
            # Written before the view is built, and committed: if the audit cannot be written, nothing is shown.
            # Only an audit row is inserted; the application row is untouched, so this never races a flow.
            app.record(at=services.clock(), actor=actor or UNATTRIBUTED, action=REVEAL_ACTION,
                       reason=(reason or "").strip() or "no reason given")
            uow.commit()
        view = _view(services, app, reveal)
        if not reveal:
            _mask_texts(view, known_values(app))
        # Life after approval: the follow-up call, change requests, complaints (each with its clocks).
        view["follow_up_call"] = call_for_application(services, uow, app)
        view["change_requests"] = [change_dict(services, c) for c in uow.changes.for_application(application_id)]
        view["complaints"] = complaints_for_application(services, uow, app)
        view["messages"] = [_message(services, m) for m in uow.outbox.for_application(application_id)]
    view["terminal"] = None if terminal is None else terminal_dict(services, terminal)
    view["deposit"] = None if deposit is None else deposit_dict(services, deposit)
    return view


def message_status(row: dict[str, Any]) -> str:
    if row.get("sent_at") is not None:
        return "sent"
    if row.get("outcome_unknown_at") is not None:
        return "unknown"  # maybe delivered, maybe not: not resent by itself, staff decide
    return "retrying" if row.get("last_error") else "pending"


def _message(services: CaseServices, row: dict[str, Any]) -> dict[str, Any]:
    """What became of one message, without its recipient or text (the case page shows those, masked)."""
    return {"key": row["idempotency_key"], "channel": row["channel"], "status": message_status(row),
            "created_at": _local(services, row["created_at"]), "sent_at": _local(services, row["sent_at"]),
            "attempts": row["attempts"], "outcome_unknown_at": _local(services, row["outcome_unknown_at"])}


def _view(services: CaseServices, app: Application, reveal: bool) -> dict[str, Any]:
    show_number = (lambda v: v) if reveal else mask_number
    show_name = (lambda v: v) if reveal else mask_name
    latest = app.latest_decision
    return {
        "application_id": app.id,
        "state": str(app.state),
        "merchant_type": str(app.merchant_type),
        "business_name": app.business_name,
        "business_address": app.business_address,
        "legal_name": show_name(app.legal_name),
        "id_number": show_number(app.id_number),
        "phone": show_number(app.phone),
        "settlement_account": {"holder_name": show_name(app.settlement_holder_name),
                               "number": show_number(app.settlement_number), "bank_name": app.settlement_bank},
        "device_model": app.device_model,
        "created_at": _local(services, app.created_at),
        "state_changed_at": _local(services, app.state_changed_at),
        "documents": [
            {"document_id": d.id, "document_type": str(d.document_type), "sha256": d.sha256,
             "media_type": d.media_type, "size_bytes": d.size_bytes, "width": d.width, "height": d.height,
             "blur_score": d.blur_score, "uploaded_at": _local(services, d.uploaded_at), "uploaded_by": d.uploaded_by,
             "current": d.is_current, "ocr_engine": d.ocr_engine, "proposed_for": d.proposed_for,
             "fields": (d.fields or {}) if reveal else mask_fields(d.fields or {})}
            for d in app.documents
        ],
        "decision": None if latest is None else {
            "outcome": str(latest.outcome), "rules_version": latest.rules_version, "ocr_engine": latest.ocr_engine,
            "decided_at": _local(services, latest.decided_at), "decided_by": latest.decided_by,
        },
        "deficiencies": [_deficiency(d, reveal) for d in (latest.deficiencies if latest else [])],
        "warnings": [_deficiency(w, reveal) for w in (latest.warnings if latest else [])],
        "request": _open_request(services, app),
        "requests": [
            {"round": r.round_number, "status": str(r.status), "created_at": _local(services, r.created_at),
             "due_at": _local(services, r.due_at), "closed_at": _local(services, r.closed_at),
             "reminders_sent": r.reminders_sent, "items": r.items}
            for r in app.requests
        ],
        "terminal": None,
        "deposit": None,
        "history": [
            {"at": _local(services, e.at), "actor": e.actor, "action": e.action, "from_state": e.from_state,
             "to_state": e.to_state, "reason": e.reason, "details": e.details}
            for e in app.events
        ],
    }


def known_values(application: Application) -> dict[str, str]:
    """Each PII value of the application (as typed and as read from its documents) → its masked form."""
    found = {}
    pairs = [("legal_name", application.legal_name), ("settlement_holder_name", application.settlement_holder_name),
             ("id_number", application.id_number), ("phone", application.phone),
             ("settlement_number", application.settlement_number)]
    for document in application.documents:
        pairs += [(name, (read or {}).get("value")) for name, read in (document.fields or {}).items()]
    for field, value in pairs:
        if isinstance(value, str) and len(value) >= 2:
            hidden = mask_value(field, value)
            if hidden and hidden != value:
                found[value] = hidden
    return found


def _mask_texts(view: dict[str, Any], known: dict[str, str]) -> None:
    """Staff-facing texts name no one in full: finding messages and notes, request items, audit reasons."""
    items = [*view["deficiencies"], *view["warnings"], *(view["request"] or {}).get("items", []),
             *(i for r in view["requests"] for i in r["items"])]
    for item in items:
        for key in ("message_zh", "message_en", "staff_note"):
            if item.get(key):
                item[key] = mask_in_text(item[key], known)
    for event in view["history"]:
        event["reason"] = mask_in_text(event["reason"], known)


def _open_request(services: CaseServices, app: Application) -> dict[str, Any] | None:
    request = app.open_request
    if request is None:
        return None
    now = services.clock()
    live = [link for link in app.links if link.is_valid(now) and link.sealed_token]
    token = services.sealer.open(live[-1].sealed_token) if live else None
    return {"round": request.round_number, "url": link_url(services, token) if token else None,
            "created_at": _local(services, request.created_at), "due_at": _local(services, request.due_at),
            "age_hours": round((now - request.created_at).total_seconds() / 3600, 1),
            "items": [{k: i.get(k) for k in ("code", "document_type", "message_zh", "message_en")}
                      for i in request.open_items],
            "reminders_sent": request.reminders_sent}


def blocker(app: Application) -> str:
    latest = app.latest_decision
    if app.state == ApplicationState.NEEDS_DOCUMENTS and latest:
        return ", ".join(sorted({d["code"] for d in latest.deficiencies}))
    return BLOCKER_BY_STATE.get(app.state, "")


def _blocker(services: CaseServices, app: Application, calls: dict) -> str:
    """An approved merchant whose follow-up call is still to be made waits on that call."""
    call = calls.get(app.id)
    if app.state == ApplicationState.APPROVED and call is not None:
        return f"follow-up call {call.state}, due {_local(services, call.due_at)[:16]}"
    return blocker(app)


def _hours(delta) -> float:
    return round(delta.total_seconds() / 3600, 1)


def status_rows(services: CaseServices, states: list[ApplicationState] | None = None) -> list[dict[str, Any]]:
    """`run` tells, for an undecided application, whether its checks are running, queued, starting or stalled
    (the process running them died); None for the others, or in scale-out where it cannot be told from here."""
    now = services.clock()
    rows = []
    with services.uow() as uow:
        calls = {c.application_id: c for c in uow.calls.in_states([CallState.OPEN, CallState.ESCALATED])}
        applications = uow.applications.list(states)
        activity = run_activity(services, [app.id for app in applications if app.state in UNDECIDED])
        for app in applications:
            in_state_for = now - (app.state_changed_at or app.created_at)
            in_state = _hours(in_state_for)
            request = app.open_request
            request_age = _hours(now - request.created_at) if request else None
            run = activity.of(app.id, app.state, in_state_for) if activity else None
            rows.append({
                "application_id": app.id, "merchant": app.business_name, "merchant_type": str(app.merchant_type),
                "state": str(app.state), "age_hours": _hours(now - app.created_at), "in_state_hours": in_state,
                "request_round": request.round_number if request else None, "request_age_hours": request_age,
                "sla": sla_colour(app.state, in_state, request_age),
                "blocker": stalled_note(in_state_for) if run == "stalled" else _blocker(services, app, calls),
                "run": run,
            })
    return rows


def batch_rows(services: CaseServices, submitted: list) -> list[dict[str, Any]]:
    """One line per application of a bulk load (`service.batch.Submitted`): where it came from, its state."""
    rows = []
    with services.uow() as uow:
        for entry in submitted:
            app = uow.applications.get(entry.application_id)
            latest = app.latest_decision
            rows.append({
                "name": entry.name, "application_id": app.id, "submitted_earlier": entry.earlier,
                "merchant_type": str(app.merchant_type), "state": str(app.state),
                "deficiencies": sorted({d["code"] for d in latest.deficiencies}) if latest else [],
                "blocker": blocker(app),
            })
    return rows
