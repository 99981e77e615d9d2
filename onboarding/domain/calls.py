"""Follow-up calls (回访): after approval, staff phone the merchant to confirm the details they gave."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from onboarding.domain.model import new_id


class CallState(StrEnum):
    OPEN = "open"  # to be called (again) at `due_at`
    CONFIRMED = "confirmed"
    CHANGED = "changed"  # the merchant gave other details: a change request carries them on
    ESCALATED = "escalated"  # unreachable after every retry: a supervisor decides


class CallOutcome(StrEnum):
    CONFIRMED = "confirmed"
    CHANGED = "changed"
    UNREACHABLE = "unreachable"


CLOSED_CALL_STATES = frozenset({CallState.CONFIRMED, CallState.CHANGED})


class CallRefused(ValueError):
    """The outcome cannot be recorded on this call as it is; nothing changed."""


@dataclass(eq=False)
class FollowUpCall:
    application_id: str
    created_at: datetime
    due_at: datetime  # when the next try is due; moves with each unreachable try
    confirm: list[str]  # what the caller confirms (rules: follow_up_calls.confirm)
    blocks_shipping: bool
    policy_version: str
    state: str = CallState.OPEN
    attempts: list[dict[str, Any]] = field(default_factory=list)  # {at, outcome, note, by}
    overdue_flagged_at: datetime | None = None  # a sweep told staff this try is late
    closed_at: datetime | None = None
    escalated_at: datetime | None = None
    change_request_id: str | None = None
    id: str = field(default_factory=lambda: new_id("CALL-"))

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_CALL_STATES

    def unreachable_count(self) -> int:
        return sum(1 for a in self.attempts if a["outcome"] == CallOutcome.UNREACHABLE)

    def record(self, outcome: CallOutcome, *, note: str, actor: str, at: datetime,
               retry_after_hours: tuple[int, ...], change_ended: bool = False) -> str:
        """Records one try and returns the call's new state. Unreachable: due again after the next retry
        interval; after the last one, escalated (and a further unreachable try keeps it there).
        `change_ended`: the change this call found was refused, cancelled or expired, so the details are
        still to be confirmed and the call takes another try."""
        if self.state == CallState.CONFIRMED or (self.state == CallState.CHANGED and not change_ended):
            raise CallRefused(f"call {self.id} is already {self.state}")
        if not note.strip():
            raise CallRefused("a call outcome needs a note saying what was said or tried")
        self.attempts = [*self.attempts, {"at": at.isoformat(), "outcome": str(outcome), "note": note.strip(),
                                          "by": actor}]
        self.overdue_flagged_at = None
        if outcome == CallOutcome.CONFIRMED:
            self.state, self.closed_at = CallState.CONFIRMED, at
        elif outcome == CallOutcome.CHANGED:
            self.state, self.closed_at = CallState.CHANGED, at
        else:
            tries = self.unreachable_count()
            if tries <= len(retry_after_hours):
                self.due_at = at + timedelta(hours=retry_after_hours[tries - 1])
            elif self.state != CallState.ESCALATED:
                self.state, self.escalated_at = CallState.ESCALATED, at
        return self.state

    def is_overdue(self, now: datetime) -> bool:
        return self.state == CallState.OPEN and now >= self.due_at


def releases_shipping(call: FollowUpCall | None, change_state: str | None) -> bool:
    """Shipping may go ahead: no call holds it, the call confirmed the details, or the change it found
    was applied (the details on file are the ones the merchant gave on the phone)."""
    if call is None or not call.blocks_shipping or call.state == CallState.CONFIRMED:
        return True
    return call.state == CallState.CHANGED and change_state == "applied"
