"""The staff monitoring numbers, computed from plain rows. No I/O and no clock: the caller gives `as_of`.

Everything is as of that instant: applications created later, and events, decisions and requests dated
later, are left out, so a report for last Monday says what was true last Monday. An application's
timeline starts in `submitted` at its creation and follows its `transition` audit events; the state it
is in at `as_of` is an open visit that counts up to `as_of` (except in final states, whose time only
grows and says nothing).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from operator import attrgetter
from typing import NamedTuple

from onboarding.domain.states import ALLOWED_TRANSITIONS, ApplicationState
from onboarding.reporting.complaints import compute_complaints
from onboarding.reporting.model import (
    DeficiencyCount, FunnelReport, RoundsBucket, StateCount, StateDwell, WaitingApplication)
from onboarding.reporting.rows import ApplicationRow, FunnelInputs, TransitionRow
from onboarding.reporting.stats import hours, hours_or_none, percentile, summarize_durations
from rules.model import MerchantType

STATE_ORDER: tuple[str, ...] = tuple(s.value for s in ApplicationState)
FINAL_STATES = frozenset(s.value for s, targets in ALLOWED_TRANSITIONS.items() if not targets)
MERCHANT_TYPE_ORDER: tuple[str, ...] = tuple(t.value for t in MerchantType)
STAFF_QUEUE = ApplicationState.MANUAL_REVIEW.value
MERCHANT_QUEUE = ApplicationState.NEEDS_DOCUMENTS.value
APPROVED = ApplicationState.APPROVED.value


class Visit(NamedTuple):
    state: str
    start: datetime
    end: datetime
    is_open: bool

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def visits(created_at: datetime, transitions: Iterable[TransitionRow], as_of: datetime) -> list[Visit]:
    """One application's stays in each state; `transitions` in time order, none after `as_of`."""
    state, start = ApplicationState.SUBMITTED.value, created_at
    timeline = []
    for t in transitions:
        # The event's own from_state wins over the previous to_state: it is what the writer saw.
        timeline.append(Visit(t.from_state or state, start, t.at, is_open=False))
        state, start = t.to_state, t.at
    timeline.append(Visit(state, start, as_of, is_open=True))
    return timeline


def _ordered(keys: Iterable[str], canonical: tuple[str, ...]) -> list[str]:
    """Canonical order first; values outside it (states and types are strings in storage) after, sorted."""
    present = set(keys)
    return [k for k in canonical if k in present] + sorted(present - set(canonical))


def _timelines(applications: list[ApplicationRow], transitions: Iterable[TransitionRow],
               as_of: datetime) -> dict[str, list[Visit]]:
    by_application: dict[str, list[TransitionRow]] = defaultdict(list)
    for t in transitions:
        if t.at <= as_of:
            by_application[t.application_id].append(t)
    by_time = attrgetter("at")
    return {a.application_id: visits(a.created_at, sorted(by_application.get(a.application_id, ()), key=by_time),
                                     as_of)
            for a in applications}


def _by_state(applications: list[ApplicationRow], current: Mapping[str, str]) -> list[StateCount]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for a in applications:
        counts[current[a.application_id]][a.merchant_type] += 1
    types = _ordered((a.merchant_type for a in applications), MERCHANT_TYPE_ORDER)
    # Every known state is listed, empty ones too: the shape of the funnel is the point of the chart.
    return [StateCount(state=s, total=sum(counts[s].values()), by_merchant_type={t: counts[s][t] for t in types})
            for s in _ordered([*STATE_ORDER, *counts], STATE_ORDER)]


def _dwell(timelines: Mapping[str, list[Visit]]) -> list[StateDwell]:
    seconds: dict[str, list[float]] = defaultdict(list)
    open_visits: Counter[str] = Counter()
    for timeline in timelines.values():
        for visit in timeline:
            if visit.is_open and visit.state in FINAL_STATES:
                continue
            seconds[visit.state].append(visit.seconds)
            open_visits[visit.state] += visit.is_open
    rows = []
    for state in _ordered(seconds, STATE_ORDER):
        values = sorted(seconds[state])
        rows.append(StateDwell(state=state, visits=len(values), open_visits=open_visits[state],
                               median_hours=hours_or_none(percentile(values, 50)),
                               p90_hours=hours_or_none(percentile(values, 90)), max_hours=hours(values[-1])))
    return rows


def _codes_by_application(inputs: FunnelInputs, known: set[str], as_of: datetime
                          ) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(codes of each application's latest decision, codes of all its decisions)."""
    decisions = [d for d in inputs.decisions if d.application_id in known and d.decided_at <= as_of]
    codes_of_decision: dict[int, set[str]] = defaultdict(set)
    for row in inputs.deficiencies:
        codes_of_decision[row.decision_id].add(row.code)
    latest: dict[str, tuple[datetime, int]] = {}
    ever: dict[str, set[str]] = defaultdict(set)
    for d in decisions:
        # Same tie-break as Application.latest_decision: time, then id.
        latest[d.application_id] = max(latest.get(d.application_id, (d.decided_at, d.decision_id)),
                                       (d.decided_at, d.decision_id))
        ever[d.application_id] |= codes_of_decision.get(d.decision_id, set())
    latest_codes = {app_id: codes_of_decision.get(decision_id, set()) for app_id, (_, decision_id) in latest.items()}
    return latest_codes, ever


def _deficiency_counts(latest: Mapping[str, set[str]], ever: Mapping[str, set[str]]) -> list[DeficiencyCount]:
    latest_counts = Counter(code for codes in latest.values() for code in codes)
    ever_counts = Counter(code for codes in ever.values() for code in codes)
    ranked = sorted(ever_counts, key=lambda c: (-ever_counts[c], -latest_counts[c], c))
    return [DeficiencyCount(code=c, latest=latest_counts[c], ever=ever_counts[c]) for c in ranked]


def _rounds_histogram(applications: list[ApplicationRow], rounds: Mapping[str, int]) -> list[RoundsBucket]:
    per_count = Counter(rounds.get(a.application_id, 0) for a in applications)
    if not per_count:
        return []
    # Contiguous from 0 so a gap reads as "nobody needed that many", not as a missing bar.
    return [RoundsBucket(rounds=n, applications=per_count[n]) for n in range(max(per_count) + 1)]


def _approval_seconds(applications: list[ApplicationRow], timelines: Mapping[str, list[Visit]]) -> list[float]:
    result = []
    for a in applications:
        first = next((v for v in timelines[a.application_id] if v.state == APPROVED), None)
        if first is not None:
            result.append((first.start - a.created_at).total_seconds())
    return result


def _waiting(state: str, applications: list[ApplicationRow], timelines: Mapping[str, list[Visit]],
             rounds: Mapping[str, int], latest_codes: Mapping[str, set[str]], as_of: datetime,
             limit: int) -> list[WaitingApplication]:
    waiting = [(timelines[a.application_id][-1], a) for a in applications
               if timelines[a.application_id][-1].state == state]
    waiting.sort(key=lambda pair: (pair[0].start, pair[1].application_id))
    return [WaitingApplication(
        application_id=a.application_id, business_name=a.business_name, merchant_type=a.merchant_type,
        state=state, waiting_since=visit.start, waiting_hours=hours(visit.seconds),
        age_hours=hours((as_of - a.created_at).total_seconds()), request_rounds=rounds.get(a.application_id, 0),
        latest_codes=sorted(latest_codes.get(a.application_id, ())),
    ) for visit, a in waiting[:limit]]


def compute_funnel(inputs: FunnelInputs, as_of: datetime, *, waiting_limit: int = 10) -> FunnelReport:
    applications = sorted((a for a in inputs.applications if a.created_at <= as_of),
                          key=lambda a: (a.created_at, a.application_id))
    known = {a.application_id for a in applications}
    timelines = _timelines(applications, (t for t in inputs.transitions if t.application_id in known), as_of)
    current = {app_id: timeline[-1].state for app_id, timeline in timelines.items()}
    rounds = Counter(r.application_id for r in inputs.requests if r.application_id in known and r.opened_at <= as_of)
    latest_codes, ever_codes = _codes_by_application(inputs, known, as_of)
    type_counts = Counter(a.merchant_type for a in applications)
    return FunnelReport(
        as_of=as_of,
        total_applications=len(applications),
        by_state=_by_state(applications, current),
        by_merchant_type={t: type_counts[t] for t in _ordered(type_counts, MERCHANT_TYPE_ORDER)},
        dwell=_dwell(timelines),
        deficiency_codes=_deficiency_counts(latest_codes, ever_codes),
        request_rounds=_rounds_histogram(applications, rounds),
        time_to_approval=summarize_durations(_approval_seconds(applications, timelines)),
        waiting_on_staff=_waiting(STAFF_QUEUE, applications, timelines, rounds, latest_codes, as_of, waiting_limit),
        waiting_on_merchants=_waiting(MERCHANT_QUEUE, applications, timelines, rounds, latest_codes, as_of,
                                      waiting_limit),
        complaints=compute_complaints(inputs.complaints, as_of),
    )
