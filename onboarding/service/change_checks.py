"""Which change requests wait for the onboarding flow to read and check their documents (see `changes`)."""
from __future__ import annotations

from pydantic import BaseModel


class ChangeCheck(BaseModel):
    """What the onboarding flow reads and checks for one change request."""

    change_id: str
    document_ids: list[str]


def pending_checks(uow, application_id: str) -> list[ChangeCheck]:
    return [ChangeCheck(change_id=c.id, document_ids=list(c.documents.values()))
            for c in uow.changes.checking(application_id)]
