"""`uow.calls`, `uow.changes`, `uow.complaints`: the aggregates after approval, row by row."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from onboarding.adapters.locking import locked
from onboarding.domain.calls import CallState, FollowUpCall
from onboarding.domain.changes import ChangeRequest, ChangeState
from onboarding.domain.complaints import Complaint

Aggregate = TypeVar("Aggregate", FollowUpCall, ChangeRequest, Complaint)


class NotFound(LookupError):
    pass


class _Repository(Generic[Aggregate]):
    model: type
    noun: str
    order_by: str

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, item: Aggregate) -> None:
        self.session.add(item)

    def get(self, item_id: str, *, for_update: bool = False) -> Aggregate:
        query = select(self.model).where(self.model.id == item_id)
        if for_update:
            query = locked(self.session, query)
        found = self.session.scalars(query).one_or_none()
        if found is None:
            raise NotFound(f"no {self.noun} {item_id}")
        return found

    def for_application(self, application_id: str) -> list[Aggregate]:
        query = select(self.model).where(self.model.application_id == application_id)
        return list(self.session.scalars(query.order_by(getattr(self.model, self.order_by), self.model.id)))

    def in_states(self, states: Iterable[str] | None = None) -> list[Aggregate]:
        query = select(self.model).order_by(getattr(self.model, self.order_by), self.model.id)
        if states:
            query = query.where(self.model.state.in_([str(s) for s in states]))
        return list(self.session.scalars(query))


class CallRepository(_Repository[FollowUpCall]):
    model, noun, order_by = FollowUpCall, "follow-up call", "due_at"

    def for_one_application(self, application_id: str) -> FollowUpCall | None:
        return self.session.scalars(
            select(FollowUpCall).where(FollowUpCall.application_id == application_id)).one_or_none()

    def newly_overdue(self, as_of: datetime) -> list[FollowUpCall]:
        return list(self.session.scalars(
            select(FollowUpCall).where(FollowUpCall.state == str(CallState.OPEN), FollowUpCall.due_at <= as_of,
                                       FollowUpCall.overdue_flagged_at.is_(None))
            .order_by(FollowUpCall.due_at).with_for_update()))


class ChangeRepository(_Repository[ChangeRequest]):
    model, noun, order_by = ChangeRequest, "change request", "created_at"

    def checking(self, application_id: str) -> list[ChangeRequest]:
        return list(self.session.scalars(
            select(ChangeRequest).where(ChangeRequest.application_id == application_id,
                                        ChangeRequest.state == str(ChangeState.CHECKING))
            .order_by(ChangeRequest.created_at)))

    def stalled_application_ids(self, before: datetime) -> list[str]:
        """Checks a crashed run left: documents in since before `before` and still not checked."""
        return list(self.session.scalars(
            select(ChangeRequest.application_id).where(ChangeRequest.state == str(ChangeState.CHECKING),
                                                       ChangeRequest.created_at < before).distinct()))

    def expiring(self, as_of: datetime) -> list[ChangeRequest]:
        return list(self.session.scalars(
            select(ChangeRequest).where(ChangeRequest.state == str(ChangeState.AWAITING_MERCHANT),
                                        ChangeRequest.expires_at <= as_of)
            .order_by(ChangeRequest.expires_at).with_for_update()))


class ComplaintRepository(_Repository[Complaint]):
    model, noun, order_by = Complaint, "complaint", "opened_at"

    def clocks_due(self, as_of: datetime) -> list[Complaint]:
        return list(self.session.scalars(
            select(Complaint).where(Complaint.next_clock_at <= as_of)
            .order_by(Complaint.next_clock_at).with_for_update()))
