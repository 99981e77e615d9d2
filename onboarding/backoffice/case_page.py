"""The case page is a list of sections, each a template under templates/sections/ fed by the case view (and,
if it needs more, a loader of its own). A new concern (follow-up calls, complaints, change requests) adds a
section with `CASE_SECTIONS.append(CaseSection(...))` or `add_section(..., before="history")`."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from documents.types import DocumentType
from onboarding.backoffice.actions import ACTIONS
from onboarding.bootstrap import Services
from onboarding.domain.staff import Permission
from onboarding.domain.states import ApplicationState
from onboarding.service.casework import EDITABLE_FIELDS, REVEALABLE_FIELDS
from onboarding.service.staff import StaffSession

Loader = Callable[[Services, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class CaseSection:
    key: str  # the HTML id, and what `before=` names
    title: str
    template: str  # under templates/
    load: Loader | None = None  # extra context for the template, beside `case`


CASE_SECTIONS: list[CaseSection] = [
    CaseSection("documents", "Documents and what was read", "sections/documents.html"),
    CaseSection("findings", "Findings and their evidence", "sections/findings.html"),
    CaseSection("duplicates", "Possible duplicates", "sections/duplicates.html"),
    CaseSection("requests", "Requests, links and messages", "sections/requests.html"),
    CaseSection("ledger", "Terminal and deposit", "sections/ledger.html"),
    CaseSection("notes", "Internal notes", "sections/notes.html"),
    CaseSection("history", "History", "sections/history.html"),
]


def add_section(section: CaseSection, before: str | None = None) -> None:
    keys = [s.key for s in CASE_SECTIONS]
    CASE_SECTIONS.insert(keys.index(before) if before in keys else len(CASE_SECTIONS), section)


def sections_for(services: Services, case: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": s.key, "title": s.title, "template": s.template,
             "context": s.load(services, case) if s.load else {}} for s in CASE_SECTIONS]


def offered_actions(case: dict[str, Any], staff: StaffSession) -> set[str]:
    """The actions whose forms the page shows: allowed for the role and sensible in the state. The service
    still decides: a form shown a moment before the state changed is refused with its reason."""
    state = ApplicationState(case["state"])
    return {name for name, action in ACTIONS.items()
            if staff.role.may(action.permission) and (action.offered_in is None or state in action.offered_in)}


def page_context(services: Services, case: dict[str, Any], staff: StaffSession) -> dict[str, Any]:
    current = [d for d in case["documents"] if d["current"]]
    with_findings = {f.get("document_type") for f in case["deficiencies"]}
    first = next((d for d in current if d["document_type"] in with_findings), current[0] if current else None)
    labels = services.ruleset.catalogue.document_labels
    return {
        "case": case, "sections": sections_for(services, case), "offered": offered_actions(case, staff),
        "current_documents": current, "old_documents": [d for d in case["documents"] if not d["current"]],
        "active_document": first["id"] if first else None,
        "document_types": [{"value": t.value, "label": labels[t].en if t in labels else t.value,
                            "label_zh": labels[t].zh if t in labels else t.value} for t in DocumentType],
        "editable_fields": EDITABLE_FIELDS, "revealable_fields": sorted(REVEALABLE_FIELDS),
        "can_operate": staff.role.may(Permission.OPERATE),
    }
