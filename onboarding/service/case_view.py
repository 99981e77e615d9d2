"""The case page's read model: `onboard show --json` (masked) plus what staff work with around it: assignment,
notes, messages sent, links, possible duplicates, field history and where the deposit is heading."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from onboarding.masking import mask_in_text, mask_number
from onboarding.notifications.delivery import redact_tokens
from onboarding.service.casework import masked
from onboarding.service.ledger_views import deposit_projection
from onboarding.service.ports import CaseServices
from onboarding.service.views import application_view, known_values, message_status


def _local(services: CaseServices, value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(ZoneInfo(services.settings.timezone)).isoformat()


def mask_recipient(recipient: str) -> str:
    if "@" in recipient:
        local, _, domain = recipient.partition("@")
        return f"{local[:1]}***@{domain}"
    return mask_number(recipient) or ""


def case_view(services: CaseServices, application_id: str,
              image_url: str = "/api/documents/{id}/image") -> dict[str, Any]:
    """Masked throughout, free texts included; `image_url` is formatted with each document's id."""
    view = application_view(services, application_id)
    now = services.clock()
    with services.uow() as uow:
        application = uow.applications.get(application_id)
        known = known_values(application)
        assignment = uow.cases.assignee(application_id)
        notes = uow.cases.notes(application_id)
        changes = uow.cases.field_changes(application_id)
        pairs = uow.cases.duplicates(application_id)
        others = {o.id: o for o in uow.applications.list_by_ids([p["other_id"] for p in pairs])}
        outbox = uow.outbox.for_application(application_id)
        email = application.email
        deposit = uow.ledger.deposit_for(application_id)
        links = [{"created_at": _local(services, link.created_at), "expires_at": _local(services, link.expires_at),
                  "revoked_at": _local(services, link.revoked_at),
                  "state": "revoked" if link.revoked_at else "live" if link.is_valid(now) else "expired"}
                 for link in application.links]
    for document in view["documents"]:
        document["id"] = document["document_id"]
        document["image_url"] = image_url.format(id=document["document_id"])
    view["assignee"] = None if assignment is None else {
        "username": assignment["assignee"], "assigned_at": _local(services, assignment["assigned_at"]),
        "assigned_by": assignment["assigned_by"]}
    view["notes"] = [{"at": _local(services, n["at"]), "author": n["author"], "text": mask_in_text(n["text"], known)}
                     for n in notes]
    view["field_changes"] = [
        {"at": _local(services, c["at"]), "actor": c["actor"], "field": c["field"], "reason": c["reason"],
         "old": masked(c["field"], c["old_value"]), "new": masked(c["field"], c["new_value"])} for c in changes]
    view["possible_duplicates"] = [
        {"application_id": p["other_id"], "matched_on": p["matched_on"], "found_at": _local(services, p["found_at"]),
         "cleared": p["cleared_at"] is not None, "cleared_by": p["cleared_by"], "cleared_reason": p["cleared_reason"],
         "state": str(others[p["other_id"]].state) if p["other_id"] in others else None,
         "merchant": others[p["other_id"]].business_name if p["other_id"] in others else None}
        for p in pairs]
    view["messages"] = [
        {"channel": m["channel"], "recipient": mask_recipient(m["recipient"]), "subject": m["subject"],
         "text": mask_in_text(redact_tokens(m["body"]), known), "created_at": _local(services, m["created_at"]),
         "sent_at": _local(services, m["sent_at"]), "status": message_status(m), "attempts": m["attempts"],
         "error": m["last_error"]} for m in outbox]
    view["links"] = links
    view["email"] = mask_recipient(email) if email else None
    if view.get("deposit") is not None and deposit is not None:
        view["deposit"]["projection"] = deposit_projection(deposit, now)
    return view
