"""Complaints and their service-level clocks: acknowledged, first answer, resolved.

Each stage has a due time set when the complaint opens (or reopens: a reopened complaint gets a new round
of clocks and the old round stays for the record). A stage is met by the first staff action that reaches
it; a sweep reminds staff before a due time and records a breach once it passes unmet.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from onboarding.domain.model import new_id
from rules.aftercare_policy import ComplaintStage

STAGES: tuple[ComplaintStage, ...] = (ComplaintStage.ACKNOWLEDGE, ComplaintStage.FIRST_ANSWER, ComplaintStage.RESOLVE)


class ComplaintState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    ANSWERED = "answered"
    RESOLVED = "resolved"  # staff gave the resolution; the merchant is asked to confirm it
    CLOSED = "closed"


OPEN_COMPLAINT_STATES = frozenset({ComplaintState.OPEN, ComplaintState.ACKNOWLEDGED, ComplaintState.ANSWERED})
# The stage each state has reached; later states have met the earlier stages too.
_REACHED = {ComplaintState.ACKNOWLEDGED: 0, ComplaintState.ANSWERED: 1, ComplaintState.RESOLVED: 2,
            ComplaintState.CLOSED: 2}


class ComplaintRefused(ValueError):
    """Not possible in the complaint's state (or out of time); nothing changed."""


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _when(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


@dataclass(eq=False)
class Complaint:
    application_id: str
    category: str
    text: str
    opened_at: datetime
    opened_by: str
    complex: bool
    policy_version: str
    terminal_sn: str | None = None
    state: str = ComplaintState.OPEN
    # One entry per stage and round: {stage, round, started_at, due_at, met_at, reminded_at, breached_at} (ISO).
    clocks: list[dict[str, Any]] = field(default_factory=list)
    next_clock_at: datetime | None = None  # the earliest reminder or due time a sweep must look at
    messages: list[dict[str, Any]] = field(default_factory=list)  # {at, by, to_merchant, text}
    attachment_sha256: str | None = None
    attachment_media_type: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    close_reason: str = ""
    confirmed_by_merchant: bool = False
    round: int = 1
    id: str = field(default_factory=lambda: new_id("CMP-"))

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_COMPLAINT_STATES

    # ---- clocks --------------------------------------------------------------------------------

    def start_clocks(self, at: datetime, due: Callable[[ComplaintStage], datetime],
                     remind_before: dict[ComplaintStage, int]) -> None:
        """`due(stage)` is the stage's deadline from `at` (calendar or service hours, the policy decides)."""
        fresh = [{"stage": str(stage), "round": self.round, "started_at": at.isoformat(),
                  "due_at": due(stage).isoformat(), "met_at": None, "reminded_at": None, "breached_at": None}
                 for stage in STAGES]
        self.clocks = [*self.clocks, *fresh]
        self._schedule(remind_before)

    def current_clocks(self) -> list[dict[str, Any]]:
        return [c for c in self.clocks if c["round"] == self.round]

    def _editable_clocks(self) -> list[dict[str, Any]]:
        """Copies to change and assign back: the JSON column is written only when its value compares unequal."""
        self.clocks = [dict(c) for c in self.clocks]
        return self.current_clocks()

    def _meet(self, upto: int, at: datetime) -> list[str]:
        met = []
        for clock in self._editable_clocks():
            if STAGES.index(ComplaintStage(clock["stage"])) <= upto and clock["met_at"] is None:
                clock["met_at"] = at.isoformat()
                met.append(clock["stage"])
        return met

    def _schedule(self, remind_before: dict[ComplaintStage, int]) -> None:
        moments = []
        for clock in self.current_clocks():
            if clock["met_at"] is not None:
                continue
            due = datetime.fromisoformat(clock["due_at"])
            if clock["reminded_at"] is None and clock["breached_at"] is None:  # no reminder after a breach
                moments.append(due - timedelta(minutes=remind_before.get(ComplaintStage(clock["stage"]), 0)))
            if clock["breached_at"] is None:
                moments.append(due)
        self.next_clock_at = min(moments, default=None)

    def due_events(self, now: datetime, remind_before: dict[ComplaintStage, int]) -> list[tuple[str, str]]:
        """(stage, "reminder" | "breach") for what became due by `now`, each recorded once; reschedules."""
        events = []
        for clock in self._editable_clocks():
            if clock["met_at"] is not None:
                continue
            stage = ComplaintStage(clock["stage"])
            due = datetime.fromisoformat(clock["due_at"])
            if now >= due and clock["breached_at"] is None:
                clock["breached_at"] = now.isoformat()
                events.append((str(stage), "breach"))
            elif clock["reminded_at"] is None and clock["breached_at"] is None and \
                    now >= due - timedelta(minutes=remind_before.get(stage, 0)):
                clock["reminded_at"] = now.isoformat()
                events.append((str(stage), "reminder"))
        self._schedule(remind_before)
        return events

    # ---- staff and merchant actions ------------------------------------------------------------

    def add_message(self, *, at: datetime, by: str, text: str, to_merchant: bool) -> None:
        self.messages = [*self.messages, {"at": at.isoformat(), "by": by, "to_merchant": to_merchant,
                                          "text": text}]

    def acknowledge(self, *, actor: str, at: datetime, remind_before: dict[ComplaintStage, int]) -> list[str]:
        self._require(OPEN_COMPLAINT_STATES, "acknowledged")
        return self._reach(ComplaintState.ACKNOWLEDGED, at, remind_before)

    def answer(self, text: str, *, actor: str, at: datetime, remind_before: dict[ComplaintStage, int]) -> list[str]:
        self._require(OPEN_COMPLAINT_STATES, "answered")
        self.add_message(at=at, by=actor, text=text, to_merchant=True)
        return self._reach(ComplaintState.ANSWERED, at, remind_before)

    def resolve(self, text: str, *, actor: str, at: datetime, remind_before: dict[ComplaintStage, int]) -> list[str]:
        self._require(OPEN_COMPLAINT_STATES, "resolved")
        self.add_message(at=at, by=actor, text=text, to_merchant=True)
        return self._reach(ComplaintState.RESOLVED, at, remind_before)

    def confirm(self, *, at: datetime) -> None:
        """The merchant agrees the complaint is resolved."""
        self._require({ComplaintState.RESOLVED}, "confirmed")
        self.state, self.closed_at, self.closed_by = ComplaintState.CLOSED, at, "merchant"
        self.confirmed_by_merchant, self.close_reason = True, "confirmed by the merchant"

    def close(self, *, actor: str, reason: str, at: datetime, remind_before: dict[ComplaintStage, int]) -> list[str]:
        """Staff close with a reason (e.g. the merchant confirmed on the phone, or never answered)."""
        self._require(OPEN_COMPLAINT_STATES | {ComplaintState.RESOLVED}, "closed")
        if not reason.strip():
            raise ComplaintRefused("closing a complaint needs a reason")
        met = self._meet(STAGES.index(ComplaintStage.RESOLVE), at)
        self.state, self.closed_at, self.closed_by, self.close_reason = ComplaintState.CLOSED, at, actor, reason.strip()
        self._schedule(remind_before)
        return met

    def reopen(self, *, at: datetime, reopen_days: int, due: Callable[[ComplaintStage], datetime],
               remind_before: dict[ComplaintStage, int]) -> None:
        if self.state not in (ComplaintState.RESOLVED, ComplaintState.CLOSED):
            raise ComplaintRefused(f"complaint {self.id} is {self.state}; only a resolved or closed one reopens")
        since = self.closed_at or _when(self._latest_met(ComplaintStage.RESOLVE)) or at
        if at > since + timedelta(days=reopen_days):
            raise ComplaintRefused(f"complaint {self.id} closed more than {reopen_days} days ago; open a new one")
        self.round += 1
        self.state, self.closed_at, self.closed_by, self.close_reason = ComplaintState.OPEN, None, None, ""
        self.confirmed_by_merchant = False
        self.start_clocks(at, due, remind_before)

    def can_reopen(self, at: datetime, reopen_days: int) -> bool:
        if self.state not in (ComplaintState.RESOLVED, ComplaintState.CLOSED):
            return False
        since = self.closed_at or _when(self._latest_met(ComplaintStage.RESOLVE)) or at
        return at <= since + timedelta(days=reopen_days)

    def _latest_met(self, stage: ComplaintStage) -> str | None:
        return next((c["met_at"] for c in reversed(self.current_clocks()) if c["stage"] == stage), None)

    def _reach(self, state: ComplaintState, at: datetime, remind_before: dict[ComplaintStage, int]) -> list[str]:
        met = self._meet(_REACHED[state], at)
        if _REACHED[state] >= _REACHED.get(ComplaintState(self.state), -1):
            self.state = state
        self._schedule(remind_before)
        return met

    def _require(self, states, action: str) -> None:
        if self.state not in states:
            raise ComplaintRefused(f"complaint {self.id} is {self.state}; it cannot be {action}")


def clock_status(clock: dict[str, Any], now: datetime) -> str:
    """met | met_late | breached (due passed, unmet) | pending."""
    due, met = datetime.fromisoformat(clock["due_at"]), _when(clock["met_at"])
    if met is not None:
        return "met" if met <= due else "met_late"
    return "breached" if now >= due else "pending"
