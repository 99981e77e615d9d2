"""Service levels of the staff queue: how long an application may wait in a state before it turns yellow, then red.

One table for the Python colour below and the queue's SQL (adapters.queue_sql); tests/integration/backoffice/
test_queue.py checks they agree."""
from __future__ import annotations

from dataclasses import dataclass

from onboarding.domain.states import ApplicationState


@dataclass(frozen=True)
class SlaLimit:
    """Green until `yellow_after` hours, yellow until `red_after`, then red; counted from the state change or,
    for `clock="request"`, from the open request."""

    yellow_after: float
    red_after: float
    clock: str = "state"


# Our service levels: acknowledge in 30 min, answer in 24 h (48 h for complex cases); a merchant silent for
# 3 days is phoned (回访). One table for `sla_colour` and the queue's SQL.
SLA_LIMITS: dict[ApplicationState, SlaLimit] = {
    ApplicationState.SUBMITTED: SlaLimit(0.5, 0.5),
    ApplicationState.CHECKING: SlaLimit(0.5, 0.5),
    ApplicationState.MANUAL_REVIEW: SlaLimit(12, 24),
    ApplicationState.NEEDS_DOCUMENTS: SlaLimit(24, 72, clock="request"),
}
SLA_COLOURS = ("green", "yellow", "red", "none")


def sla_colour(state: ApplicationState, in_state_hours: float, request_age_hours: float | None) -> str:
    limit = SLA_LIMITS.get(state)
    if limit is None:
        return "none"
    hours = request_age_hours if limit.clock == "request" else in_state_hours
    if hours is None:
        return "none"
    return "green" if hours < limit.yellow_after else "yellow" if hours < limit.red_after else "red"
