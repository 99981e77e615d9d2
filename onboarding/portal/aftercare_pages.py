"""The merchant's page after approval, as template values: progress, next step, terminal, deposit, complaints,
changes. Every sentence is worded here from `aftercare_texts`; money is shown from integer fen."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable
from zoneinfo import ZoneInfo

from onboarding.portal import aftercare_texts as words
from onboarding.portal.texts import Lang
from onboarding.service.deposit_notices import yuan
from onboarding.service.merchant_status import MerchantStatus

DONE_KEYS = frozenset(k.removeprefix("done_") for k in words.TEXTS if k.startswith("done_"))


def money(fen: int) -> str:
    """¥10,000 for whole yuan, ¥99.50 otherwise: merchants read round amounts."""
    text = yuan(fen)
    return text.removesuffix(".00")


def aftercare_context(status: MerchantStatus, token: str, lang: Lang, when: Callable[[datetime | None, Lang], str | None],
                      document_label: Callable[[str, Lang], str | None], done: str | None) -> dict[str, Any]:
    def a(key: str, **values: object) -> str:
        return words.text(lang, key, **values)

    def day(moment: datetime | None, zone: str = "Asia/Shanghai") -> str:
        if moment is None:
            return ""
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        local = moment.astimezone(ZoneInfo(zone))
        return f"{local:%Y-%m-%d}" if lang == "zh" else f"{local.day} {local:%b %Y}"

    nxt = status.next
    values = dict(nxt.values)
    if "min_fen" in values:
        values["min"] = money(values.pop("min_fen"))
    deposit = status.deposit
    if deposit:
        values.setdefault("threshold", money(deposit["threshold_fen"]))
        values.setdefault("amount", money(deposit["amount_fen"]))
    next_text = a(nxt.key, by=when(nxt.by, lang) or "", **values)

    terminal = None
    if status.terminal:
        t = status.terminal
        state_text = {"active": a("terminal_active", at=day(t["activated_at"])),
                      "suspended": a("terminal_suspended")}.get(t["state"], a("terminal_waiting"))
        terminal = {"serial_number": t["serial_number"], "model": t["model"], "state": t["state"],
                    "state_text": state_text,
                    "deadline": a("activation_by", by=day(t["activation_deadline"]))
                    if t["state"] == "shipped" and t["activation_deadline"] else None}

    deposit_view = None
    if deposit:
        volume, threshold = deposit["qualifying_volume_fen"], deposit["threshold_fen"]
        percent = max(0, min(100, round(100 * volume / threshold))) if threshold else 0
        if deposit["state"] == "refunded" and deposit["refund"]:
            headline = a("deposit_refunded", amount=money(deposit["refund"]["amount_fen"]),
                         last4=deposit["refund"]["account_last4"], at=day(deposit["refund"]["created_at"]))
        elif deposit["state"] == "forfeited":
            headline = a("deposit_forfeited", amount=money(deposit["amount_fen"]), volume=money(volume),
                         threshold=money(threshold))
        elif deposit["deadline"] is None:
            headline = a("deposit_not_started", amount=money(deposit["amount_fen"]), days=deposit["window_days"],
                         threshold=money(threshold))
        elif deposit["days_left"] is not None:
            headline = a("deposit_progress", volume=money(volume), threshold=money(threshold),
                         days=deposit["days_left"])
        else:
            headline = a("deposit_progress_done", volume=money(volume), threshold=money(threshold))
        deposit_view = {"state": deposit["state"], "headline": headline, "percent": percent,
                        "counts": words.what_counts(lang, deposit["counting"]["channels"],
                                                    deposit["counting"]["subtracting_kinds"]),
                        "show_bar": deposit["state"] == "held" and deposit["deadline"] is not None,
                        "deadline": a("deposit_deadline", by=day(deposit["deadline_at"]))
                        if deposit["state"] == "held" and deposit["deadline_at"] else None,
                        "waits_for_change": deposit["refund_waits_for_change"]}

    complaints = []
    for c in status.complaints:
        label = c["category_label"] or {"zh": c["category"], "en": c["category"]}
        acknowledge = next((k for k in c["clocks"] if k["stage"] == "acknowledge"), None)
        first = next((k for k in c["clocks"] if k["stage"] == "first_answer"), None)
        reply_by = None
        if c["state"] in ("open", "acknowledged") and first and not first["met"]:
            reply_by = a("complaint_reply_by", by=when(datetime.fromisoformat(first["due_at"]), lang))
        complaints.append({
            "id": c["complaint_id"], "category": label[lang], "state": c["state"],
            "state_text": a(f"complaint_state_{c['state']}"), "opened": day(c["opened_at"]), "text": c["text"],
            "answers": [{"at": day(m["at"]), "text": m["text"]} for m in c["to_merchant"]],
            "reply_by": reply_by, "can_confirm": c["can_confirm"], "can_reopen": c["can_reopen"],
            "acknowledged": bool(acknowledge and acknowledge["met"]),
            "confirm_url": f"/r/{token}/complaints/{c['complaint_id']}/confirm",
            "reopen_url": f"/r/{token}/complaints/{c['complaint_id']}/reopen",
        })

    field_names = lambda fields: ("、" if lang == "zh" else ", ").join(a(f"field_{f}") for f in fields)  # noqa: E731
    open_change = None
    if status.open_change:
        o = status.open_change
        open_change = {
            "id": o["change_id"], "state": o["state"], "fields": field_names(o["fields"]),
            "codes": [{"contact": c, "label": a("change_code", contact=a(f"field_{c}"), to=o["to"].get(c, "")),
                       "resend": a("change_resend") if len(o["codes"]) == 1
                       else f'{a("change_resend")}（{a(f"field_{c}")}）'} for c in o["codes"]],
            "documents": [{"name": t, "label": document_label(t, lang)} for t in o["documents"]],
            "findings": [f["message_zh"] if lang == "zh" else f["message_en"] for f in o["findings"]],
            "base_url": f"/r/{token}/change/{o['change_id']}",
        }
    past_changes = [{"fields": field_names(c["fields"]), "state_text": a(f"change_state_{c['state']}"),
                     "when": day(c["decided_at"] or c["created_at"])} for c in status.changes]
    change_documents = {field: [{"name": t, "label": document_label(t, lang)} for t in types]
                        for field, types in status.change_documents.items()}
    return {
        "a": a, "state": status.state, "next_key": nxt.key,
        "done": a(f"done_{done}") if done in DONE_KEYS else None,
        "steps": [{"key": s.key, "status": s.status, "label": a(f"step_{s.key}")} for s in status.steps],
        "next_text": next_text, "terminal": terminal, "deposit": deposit_view, "complaints": complaints,
        "categories": [{"key": c["key"], "label": c[lang]} for c in status.categories],
        "open_change": open_change, "past_changes": past_changes, "can_change": status.can_change,
        "change_documents": change_documents, "settlement_last4": status.settlement_last4,
        "complaint_url": f"/r/{token}/complaints", "change_url": f"/r/{token}/change",
    }
