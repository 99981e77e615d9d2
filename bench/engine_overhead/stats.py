"""Small statistics helpers: medians and nearest-rank percentiles, tolerant of empty input."""
from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 10 values is the largest): honest for small samples."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


def per_minute(count: int, seconds: float) -> float:
    return 60.0 * count / seconds if seconds > 0 else math.nan
