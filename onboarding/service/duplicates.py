"""Possible duplicates: another application with the same ID number, credit code, settlement card, phone or
document image. Found when the checks run (after every submission, upload and edit), judged by staff."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from onboarding.service.ports import CheckServices
from onboarding.service.review import ReviewRefused
from onboarding.service.search_index import index_application, index_missing
from rules.model import PossibleDuplicate

DOCUMENT_MATCH = "document"
ATTEMPTS = 3


def refresh(services: CheckServices, application_id: str) -> list[PossibleDuplicate]:
    """Re-indexes the application, records every other application it shares something with, and returns
    the pairs staff have not cleared: the facts the rules turn into a `possible_duplicate` finding."""
    index_missing(services)  # anything stored by a path that did not index it (or before the index existed)
    for attempt in range(ATTEMPTS):
        try:
            return _refresh(services, application_id)
        except IntegrityError:  # the other side of a pair, checked at the same moment, recorded it first
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _refresh(services: CheckServices, application_id: str) -> list[PossibleDuplicate]:
    with services.uow() as uow:
        application = uow.applications.get(application_id)
        index_application(services, uow, application)
        uow.session.flush()
        shared = uow.cases.sharing_identifiers(application_id)
        for other in uow.cases.sharing_images(application_id):
            shared.setdefault(other, set()).add(DOCUMENT_MATCH)
        now = services.clock()
        for other, kinds in sorted(shared.items()):
            uow.cases.record_match(application_id, other, sorted(kinds), now)
        uow.commit()
        return open_duplicates(uow, application_id)


def open_duplicates(uow, application_id: str) -> list[PossibleDuplicate]:
    return [PossibleDuplicate(application_id=m["other_id"], matched_on=m["matched_on"])
            for m in uow.cases.duplicates(application_id) if m["cleared_at"] is None]


def clear(services: CheckServices, application_id: str, other_ids: list[str] | None, *, actor: str, reason: str) -> int:
    """"Not a duplicate": the pairs (all open ones when `other_ids` is None) stop flagging either application.
    The caller runs the checks again so the finding goes."""
    if not reason.strip():
        raise ReviewRefused("a reason is needed")
    with services.uow() as uow:
        application = uow.applications.get(application_id, for_update=True)
        open_ids = [m["other_id"] for m in uow.cases.duplicates(application_id) if m["cleared_at"] is None]
        chosen = open_ids if not other_ids else other_ids
        unknown = sorted(set(chosen) - set(open_ids))
        if unknown or not chosen:
            raise ReviewRefused(f"{application_id} has no open possible duplicate {', '.join(unknown)}".strip()
                               if unknown else f"{application_id} has no open possible duplicate")
        now = services.clock()
        cleared = uow.cases.clear_matches(application_id, chosen, actor, reason, now)
        application.record(at=now, actor=actor, action="duplicate_cleared", reason=reason,
                           details={"others": sorted(chosen)})
        uow.commit()
        return cleared
