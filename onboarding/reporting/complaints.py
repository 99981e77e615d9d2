"""Complaints in the monitoring report: how many per category, and how the service levels were kept.

Pure, as of an instant like the rest of the funnel: a clock counts as decided once it was met or its due
time passed by `as_of`; attainment is the share met on time among the decided ones. Times are from the
start of the clock's round (opening, or reopening) to the moment the stage was met.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime

from onboarding.reporting.model import ComplaintCategoryCount, ComplaintReport, ComplaintStageLevel
from onboarding.reporting.rows import ComplaintRow
from onboarding.reporting.stats import hours_or_none, percentile

STAGE_ORDER = ("acknowledge", "first_answer", "resolve")


def _when(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def compute_complaints(rows: Iterable[ComplaintRow], as_of: datetime) -> ComplaintReport:
    total: Counter[str] = Counter()
    still_open: Counter[str] = Counter()
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    durations: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        if row.opened_at > as_of:
            continue
        total[row.category] += 1
        still_open[row.category] += row.closed_at is None or row.closed_at > as_of
        for clock in row.clocks or ():
            started, due, met = _when(clock.get("started_at")), _when(clock["due_at"]), _when(clock["met_at"])
            if started is not None and started > as_of:
                continue
            if met is not None and met <= as_of:
                outcomes[clock["stage"]]["met" if met <= due else "met_late"] += 1
                if started is not None:
                    durations[clock["stage"]].append((met - started).total_seconds())
            elif due <= as_of:
                outcomes[clock["stage"]]["breached"] += 1
            else:
                outcomes[clock["stage"]]["pending"] += 1
    stages = []
    for stage in [*STAGE_ORDER, *sorted(set(outcomes) - set(STAGE_ORDER))]:
        counts = outcomes[stage]
        decided = counts["met"] + counts["met_late"] + counts["breached"]
        stages.append(ComplaintStageLevel(
            stage=stage, met_on_time=counts["met"], met_late=counts["met_late"], breached_unmet=counts["breached"],
            pending=counts["pending"], attainment=round(counts["met"] / decided, 4) if decided else None,
            median_hours=hours_or_none(percentile(sorted(durations[stage]), 50))))
    return ComplaintReport(
        total=sum(total.values()),
        by_category=[ComplaintCategoryCount(category=c, total=total[c], open=still_open[c]) for c in sorted(total)],
        service_levels=stages,
    )
