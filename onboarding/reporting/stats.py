"""Small, exact statistics over durations: percentiles and fixed, human-sized histogram bins."""
from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence

from onboarding.reporting.model import DurationBin, DurationSummary

HOUR = 3600.0

# Fixed edges rather than data-driven ones: staff compare this week's page with last week's.
DURATION_BIN_EDGES_HOURS: tuple[float, ...] = (0, 1, 4, 12, 24, 48, 72, 120, 168, 336)


def hours(seconds: float) -> float:
    return round(seconds / HOUR, 3)


def percentile(sorted_values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); `sorted_values` must be ascending."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * q / 100
    lower, upper = math.floor(position), math.ceil(position)
    low, high = sorted_values[lower], sorted_values[upper]
    return low + (high - low) * (position - lower)


def hours_or_none(seconds: float | None) -> float | None:
    return None if seconds is None else hours(seconds)


def _bin_label(lower: float, upper: float | None) -> str:
    def text(h: float) -> str:
        return f"{h / 24:g} d" if h >= 24 and h % 24 == 0 else f"{h:g} h"

    if upper is None:
        return f"≥ {text(lower)}"
    if lower == 0:
        return f"< {text(upper)}"
    if lower >= 24 and upper % 24 == 0:
        return f"{lower / 24:g}–{upper / 24:g} d"
    return f"{lower:g}–{upper:g} h"


def duration_bins(seconds: Sequence[float], edges_hours: Sequence[float] = DURATION_BIN_EDGES_HOURS
                  ) -> list[DurationBin]:
    bounds = [*zip(edges_hours, [*edges_hours[1:], None])]
    counts = [0] * len(bounds)
    for value in seconds:
        # Negative durations (clock skew between writers) land in the first bin rather than nowhere.
        counts[max(bisect_right(edges_hours, value / HOUR) - 1, 0)] += 1
    return [DurationBin(label=_bin_label(lower, upper), lower_hours=lower, upper_hours=upper, count=count)
            for (lower, upper), count in zip(bounds, counts)]


def summarize_durations(seconds: Sequence[float]) -> DurationSummary:
    ordered = sorted(seconds)
    return DurationSummary(
        count=len(ordered),
        median_hours=hours_or_none(percentile(ordered, 50)),
        p90_hours=hours_or_none(percentile(ordered, 90)),
        bins=duration_bins(ordered),
    )
