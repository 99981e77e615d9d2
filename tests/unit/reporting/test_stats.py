from __future__ import annotations

import pytest

from onboarding.reporting.formatting import format_hours
from onboarding.reporting.stats import HOUR, duration_bins, percentile, summarize_durations


@pytest.mark.parametrize("values, q, expected", [
    ([], 50, None), ([5.0], 90, 5.0), ([1.0, 2.0, 3.0, 4.0], 50, 2.5), ([1.0, 2.0, 3.0], 50, 2.0),
    ([float(v) for v in range(1, 11)], 90, 9.1), ([0.0, 10.0], 90, 9.0),
])
def test_percentile_interpolates_between_ranks(values, q, expected):
    result = percentile(values, q)
    assert result == (None if expected is None else pytest.approx(expected))


def test_bins_have_human_labels_and_take_every_value_once():
    bins = duration_bins([h * HOUR for h in (0.5, 1, 3.99, 30, 400, -1)])
    assert [b.label for b in bins] == ["< 1 h", "1–4 h", "4–12 h", "12–24 h", "1–2 d", "2–3 d", "3–5 d",
                                       "5–7 d", "7–14 d", "≥ 14 d"]
    assert [b.count for b in bins] == [2, 2, 0, 0, 1, 0, 0, 0, 0, 1]
    assert bins[-1].upper_hours is None and bins[0].lower_hours == 0


def test_summary_in_hours():
    summary = summarize_durations([HOUR * 3, HOUR * 1, HOUR * 2])
    assert (summary.count, summary.median_hours, summary.p90_hours) == (3, 2.0, 2.8)


@pytest.mark.parametrize("value, text", [(None, "—"), (0.25, "15 min"), (3.04, "3.0 h"), (47.9, "47.9 h"),
                                         (60, "2.5 d")])
def test_durations_read_in_the_unit_staff_would_say(value, text):
    assert format_hours(value) == text
