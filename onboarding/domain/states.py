"""Application states and the only transitions between them."""
from __future__ import annotations

from enum import StrEnum


class ApplicationState(StrEnum):
    SUBMITTED = "submitted"
    CHECKING = "checking"
    NEEDS_DOCUMENTS = "needs_documents"
    MANUAL_REVIEW = "manual_review"
    APPROVED = "approved"
    SHIPPED = "shipped"
    ACTIVE = "active"
    REJECTED = "rejected"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


S = ApplicationState

ALLOWED_TRANSITIONS: dict[ApplicationState, frozenset[ApplicationState]] = {
    S.SUBMITTED: frozenset({S.CHECKING, S.REJECTED, S.WITHDRAWN}),
    S.CHECKING: frozenset({S.NEEDS_DOCUMENTS, S.MANUAL_REVIEW, S.APPROVED, S.REJECTED}),
    # Staff may approve what the merchant was asked for (a finding they judge harmless).
    S.NEEDS_DOCUMENTS: frozenset({S.CHECKING, S.MANUAL_REVIEW, S.APPROVED, S.REJECTED, S.EXPIRED, S.WITHDRAWN}),
    S.MANUAL_REVIEW: frozenset({S.CHECKING, S.NEEDS_DOCUMENTS, S.APPROVED, S.REJECTED, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.SHIPPED, S.WITHDRAWN}),
    S.SHIPPED: frozenset({S.ACTIVE}),
    S.ACTIVE: frozenset(),
    S.REJECTED: frozenset(),
    S.EXPIRED: frozenset({S.NEEDS_DOCUMENTS}),  # reopened by staff: a new round with a new link
    S.WITHDRAWN: frozenset(),
}

# States from which the checks may (re)start when documents arrive.
CHECKABLE_STATES = frozenset({S.SUBMITTED, S.NEEDS_DOCUMENTS, S.MANUAL_REVIEW})

# States the onboarding flow has nothing more to do for.
SETTLED_STATES = frozenset({S.APPROVED, S.SHIPPED, S.ACTIVE, S.REJECTED, S.EXPIRED, S.WITHDRAWN})


class IllegalTransition(Exception):
    def __init__(self, application_id: str, current: ApplicationState, target: ApplicationState) -> None:
        super().__init__(f"application {application_id}: cannot go from {current} to {target}")
        self.current = current
        self.target = target


def can_transition(current: ApplicationState, target: ApplicationState) -> bool:
    return target in ALLOWED_TRANSITIONS[current]
