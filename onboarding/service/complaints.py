"""Complaints: opened by the merchant from their link or by staff, worked through three clocked stages.

Every step is an audit event on the application; every message to the merchant goes through the outbox with
a link to their page; the sweep reminds staff before a stage's deadline and records a breach once it passes.
"""
from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from documents.intake import IntakeRefused, inspect_upload
from documents.types import DocumentType
from onboarding.domain.complaints import (
    OPEN_COMPLAINT_STATES, STAGES, Complaint, ComplaintRefused, ComplaintState, clock_status)
from onboarding.domain.model import Application
from onboarding.notifications import aftercare_messages as notices
from onboarding.service.calls import aftercare_policy_of
from onboarding.service.deposit_progress import deposit_progress
from onboarding.service.merchant_links import enqueue_with_link, staff_alert
from onboarding.service.ports import CaseServices
from onboarding.service.submission import UploadedFile, UploadRefused
from onboarding.service.ledger_views import _local
from rules.aftercare_policy import Aftercare, ComplaintStage

MAX_TEXT = 2000
# The gate for an attachment: a photo (screenshot, receipt): never read by OCR, never landscape-only.
ATTACHMENT_AS = DocumentType.INTERIOR_PHOTO
STAFF_ACTIONS = ("acknowledge", "answer", "resolve", "close", "reopen")
OPEN_FILTER = "open"  # `complaints list --state open`: the ones staff still work on


def _clean_text(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ComplaintRefused(f"{what} is empty")
    if len(text) > MAX_TEXT:
        raise ComplaintRefused(f"{what} is longer than {MAX_TEXT} characters")
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text):
        raise ComplaintRefused(f"{what} contains control characters")
    return text


def _due(policy: Aftercare, category: str, start: datetime):
    complaints = policy.complaints
    return lambda stage: policy.clock_end(start, complaints.minutes_for(stage, category), complaints.hours)


def open_complaint(services: CaseServices, application_id: str, category: str, text: str, *, actor: str,
                   attachment: UploadedFile | None = None) -> str:
    policy = aftercare_policy_of(services)
    categories = policy.complaints.categories
    if category not in categories:
        raise ComplaintRefused(f"category {category!r} is not one of {', '.join(categories)}")
    text = _clean_text(text, "the complaint text")
    inspection = None
    if attachment is not None:
        try:
            inspection = inspect_upload(attachment.data, ATTACHMENT_AS, services.intake_limits, keep_image=False)
        except IntakeRefused as refusal:
            raise UploadRefused(refusal.code, f"attachment: {refusal}") from None
    with services.uow() as uow:
        uow.applications.get(application_id)  # an unknown application stores nothing, not even the file
    stored = None
    if inspection is not None and not services.blobs.exists(inspection.sha256):
        services.blobs.put(attachment.data)
        stored = inspection.sha256
    try:
        with services.uow() as uow:
            application = uow.applications.get(application_id, for_update=True)
            now = services.clock()
            terminal = uow.ledger.terminal_for_application(application_id)
            complaint = Complaint(application_id=application_id, category=category, text=text, opened_at=now,
                                  opened_by=actor, complex=categories[category].complex,
                                  policy_version=policy.version_label,
                                  terminal_sn=terminal.serial_number if terminal else None,
                                  attachment_sha256=inspection.sha256 if inspection else None,
                                  attachment_media_type=inspection.media_type if inspection else None)
            complaint.add_message(at=now, by=actor, text=text, to_merchant=False)
            complaint.start_clocks(now, _due(policy, category, now), policy.complaints.remind_before_minutes)
            uow.complaints.add(complaint)
            acknowledge_by = complaint.current_clocks()[0]["due_at"]
            application.record(at=now, actor=actor, action="complaint_opened", reason=category,
                               details={"complaint": complaint.id, "category": category,
                                        "terminal_sn": complaint.terminal_sn, "acknowledge_by": acknowledge_by,
                                        "attachment": complaint.attachment_sha256})
            label = categories[category].label
            due = datetime.fromisoformat(acknowledge_by)
            enqueue_with_link(services, uow, application, now, lambda url: notices.complaint_received(
                application.id, complaint.id, label.zh, label.en, _shown(services, due, "zh"),
                _shown(services, due, "en"), url))
            uow.commit()
    except BaseException:
        if stored:
            services.blobs.delete(stored)
        raise
    return complaint.id


def _shown(services: CaseServices, moment: datetime, lang: str) -> str:
    local = moment.astimezone(ZoneInfo(services.settings.timezone))
    return f"{local:%Y-%m-%d %H:%M}" + ("（北京时间）" if lang == "zh" else " (Beijing time)")


def act(services: CaseServices, complaint_id: str, action: str, *, actor: str, text: str = "",
        application_id: str | None = None) -> dict[str, Any]:
    """A staff action (acknowledge, answer, resolve, close, reopen) or, with `application_id` (the merchant's
    link), the merchant's own (confirm, reopen) on a complaint of that application only."""
    policy = aftercare_policy_of(services)
    remind = policy.complaints.remind_before_minutes
    with services.uow() as uow:
        complaint = uow.complaints.get(complaint_id, for_update=True)
        if application_id is not None and complaint.application_id != application_id:
            raise ComplaintRefused(f"no complaint {complaint_id} on this application")
        application = uow.applications.get(complaint.application_id, for_update=True)
        now = services.clock()
        met: list[str] = []
        said = ""
        if action == "acknowledge":
            met = complaint.acknowledge(actor=actor, at=now, remind_before=remind)
        elif action == "answer":
            said = _clean_text(text, "the answer")
            met = complaint.answer(said, actor=actor, at=now, remind_before=remind)
        elif action == "resolve":
            said = _clean_text(text, "the resolution")
            met = complaint.resolve(said, actor=actor, at=now, remind_before=remind)
        elif action == "close":
            met = complaint.close(actor=actor, reason=_clean_text(text, "the reason"), at=now, remind_before=remind)
        elif action == "reopen":
            complaint.reopen(at=now, reopen_days=policy.complaints.reopen_days,
                             due=_due(policy, complaint.category, now), remind_before=remind)
            if text.strip():
                complaint.add_message(at=now, by=actor, text=_clean_text(text, "the reason"), to_merchant=False)
        elif action == "confirm":
            complaint.confirm(at=now)
        else:
            raise ComplaintRefused(f"unknown complaint action {action!r}")
        past = {"acknowledge": "acknowledged", "answer": "answered", "resolve": "resolved", "close": "closed",
                "reopen": "reopened", "confirm": "confirmed"}[action]
        application.record(at=now, actor=actor, action=f"complaint_{past}", reason=said or text.strip(),
                           details={"complaint": complaint.id, "stages_met": met, "state": str(complaint.state),
                                    "round": complaint.round})
        if action in ("acknowledge", "answer", "resolve", "close", "reopen"):
            kind = {"acknowledge": "acknowledged", "answer": "answer", "resolve": "resolved", "close": "closed",
                    "reopen": "reopened"}[action]
            words = said if action in ("answer", "resolve") else ""
            sequence = sum(1 for e in application.events if (e.details or {}).get("complaint") == complaint.id)
            enqueue_with_link(services, uow, application, now, lambda url: notices.complaint_update(
                application.id, complaint.id, kind, words, url, sequence))
        uow.commit()
        return complaint_dict(services, uow, complaint, now)


def sweep_complaint_clocks(services: CaseServices, as_of: datetime, actor: str = "sweep") -> dict[str, int]:
    """Reminders before, breaches after each stage's deadline; each recorded once."""
    remind = aftercare_policy_of(services).complaints.remind_before_minutes
    counts = {"reminders": 0, "breaches": 0}
    with services.uow() as uow:
        for complaint in uow.complaints.clocks_due(as_of):
            application = uow.applications.get(complaint.application_id)
            for stage, event in complaint.due_events(as_of, remind):
                counts["reminders" if event == "reminder" else "breaches"] += 1
                clock = next(c for c in complaint.current_clocks() if c["stage"] == stage)
                application.record(at=as_of, actor=actor, action=f"complaint_{event}",
                                   reason=f"{stage} due {clock['due_at']}",
                                   details={"complaint": complaint.id, "stage": stage, "round": complaint.round,
                                            "due_at": clock["due_at"]})
                word = "due soon" if event == "reminder" else "BREACHED"
                for message in staff_alert(services, f"complaint-{complaint.id}-{complaint.round}-{stage}-{event}",
                                           f"Complaint {complaint.id}: {stage} {word}",
                                           f"Complaint {complaint.id} ({complaint.category}, {application.id}): "
                                           f"{stage} due {clock['due_at']}.", as_of):
                    uow.outbox.enqueue(message)
        uow.commit()
    return counts


# ---- views -------------------------------------------------------------------------------------


def _clock_dict(services: CaseServices, clock: dict[str, Any], now: datetime) -> dict[str, Any]:
    def local(value: str | None) -> str | None:
        return None if value is None else _local(services, datetime.fromisoformat(value))

    return {"stage": clock["stage"], "round": clock["round"], "due_at": local(clock["due_at"]),
            "met_at": local(clock["met_at"]), "status": clock_status(clock, now),
            "met": clock["met_at"] is not None, "breached": clock["breached_at"] is not None
            or clock_status(clock, now) in ("breached", "met_late"),
            "reminded_at": local(clock["reminded_at"]), "breach_recorded_at": local(clock["breached_at"])}


def complaint_dict(services: CaseServices, uow, complaint: Complaint, now: datetime | None = None,
                   *, with_deposit: bool = True) -> dict[str, Any]:
    now = now or services.clock()
    policy = aftercare_policy_of(services).complaints
    category = policy.categories.get(complaint.category)
    label = category.label if category else None
    view = {
        "complaint_id": complaint.id, "application_id": complaint.application_id,
        "terminal_sn": complaint.terminal_sn, "category": complaint.category,
        "category_label": {"zh": label.zh, "en": label.en} if label else None,
        "complex": complaint.complex, "state": str(complaint.state), "text": complaint.text,
        "opened_at": _local(services, complaint.opened_at), "opened_by": complaint.opened_by,
        "round": complaint.round,
        "clocks": [_clock_dict(services, c, now) for c in complaint.current_clocks()],
        "earlier_clocks": [_clock_dict(services, c, now) for c in complaint.clocks if c["round"] != complaint.round],
        "messages": [{**m, "at": _local(services, datetime.fromisoformat(m["at"]))} for m in complaint.messages],
        "attachment": None if not complaint.attachment_sha256 else {
            "sha256": complaint.attachment_sha256, "media_type": complaint.attachment_media_type},
        "closed_at": _local(services, complaint.closed_at), "closed_by": complaint.closed_by,
        "close_reason": complaint.close_reason, "confirmed_by_merchant": complaint.confirmed_by_merchant,
        "can_reopen": complaint.can_reopen(now, policy.reopen_days),
        "policy_version": complaint.policy_version,
        "deposit": None,
    }
    if with_deposit and complaint.category == "deposit":
        view["deposit"] = deposit_progress(services, uow, complaint.application_id, now)
    return view


def complaint_view(services: CaseServices, complaint_id: str) -> dict[str, Any]:
    with services.uow() as uow:
        return complaint_dict(services, uow, uow.complaints.get(complaint_id))


def complaint_rows(services: CaseServices, state: str | None = None) -> list[dict[str, Any]]:
    if state is None:
        states = None
    elif state == OPEN_FILTER:
        states = sorted(OPEN_COMPLAINT_STATES)
    else:
        try:
            states = [ComplaintState(state)]
        except ValueError:
            known = ", ".join([OPEN_FILTER, *[s.value for s in ComplaintState if s != ComplaintState.OPEN]])
            raise ComplaintRefused(f"--state: unknown state {state!r} (known: {known})") from None
    now = services.clock()
    with services.uow() as uow:
        return [complaint_dict(services, uow, c, now) for c in uow.complaints.in_states(states)]


def complaints_for_application(services: CaseServices, uow, application: Application) -> list[dict[str, Any]]:
    now = services.clock()
    return [complaint_dict(services, uow, c, now) for c in uow.complaints.for_application(application.id)]


__all__ = ["STAGES", "STAFF_ACTIONS", "ComplaintStage", "act", "complaint_rows", "complaint_view", "open_complaint",
           "sweep_complaint_clocks"]
