"""The report's charts as files, drawn with matplotlib's object API on the Agg/SVG canvases (no pyplot,
no display, no global state). The same report gives byte-identical files."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from onboarding.reporting.formatting import SERIES_COLOURS, format_hours, state_colour, state_label
from onboarding.reporting.model import FunnelReport

TOP_CODES = 12
_STYLE = {
    "font.size": 9, "axes.titlesize": 10, "axes.spines.top": False, "axes.spines.right": False,
    "axes.edgecolor": "#94a3b8", "axes.labelcolor": "#334155", "xtick.color": "#475569",
    "ytick.color": "#475569", "text.color": "#1e293b", "grid.color": "#e2e8f0",
    # Codes and merchant names are data: a "$" in one must not switch on mathtext.
    "text.parse_math": False,
    # Fixed element ids and no timestamp: reruns give identical SVG bytes.
    "svg.hashsalt": "onboard-report", "svg.fonttype": "path",
}


@dataclass(frozen=True)
class Chart:
    key: str
    filename: str
    alt: str


def _figure(height: float = 3.2) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(6.4, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def _label_bars(axes: Axes, bars, horizontal: bool = False) -> None:
    axes.bar_label(bars, labels=[f"{v:g}" if v else "" for v in bars.datavalues], padding=2, fontsize=8,
                   color="#334155")
    if horizontal:
        axes.margins(x=0.12)


def states_chart(report: FunnelReport) -> Figure:
    figure, axes = _figure()
    states = [s.state for s in report.by_state]
    bottoms = [0] * len(states)
    for colour, merchant_type in zip(SERIES_COLOURS * 3, report.by_merchant_type):
        values = [s.by_merchant_type.get(merchant_type, 0) for s in report.by_state]
        axes.bar(range(len(states)), values, bottom=bottoms, color=colour, label=state_label(merchant_type),
                 width=0.7)
        bottoms = [b + v for b, v in zip(bottoms, values)]
    totals = axes.bar(range(len(states)), [0] * len(states), bottom=bottoms, width=0.7)
    axes.bar_label(totals, labels=[str(b) if b else "" for b in bottoms], padding=2, fontsize=8)
    axes.set_xticks(range(len(states)), [state_label(s) for s in states], rotation=30, ha="right")
    axes.set_ylabel("applications")
    axes.yaxis.grid(True)
    axes.set_axisbelow(True)
    axes.margins(y=0.12)
    axes.legend(frameon=False, fontsize=8, loc="upper right")
    return figure


# Log scale: checking takes minutes and needs_documents days; on a linear axis the short states vanish.
_DWELL_TICKS = ((1 / 60, "1 min"), (10 / 60, "10 min"), (1, "1 h"), (6, "6 h"), (24, "1 d"), (168, "1 wk"),
                (720, "30 d"))
_DWELL_FLOOR = 0.5 / 60  # instant moves still get a visible stub


def dwell_chart(report: FunnelReport) -> Figure | None:
    rows = [r for r in report.dwell if r.median_hours is not None]
    if not rows:
        return None
    figure, axes = _figure(1.0 + 0.34 * len(rows))
    positions = list(range(len(rows))[::-1])  # first state at the top
    medians = [max(r.median_hours, _DWELL_FLOOR) for r in rows]
    p90s = [max(r.p90_hours, _DWELL_FLOOR) for r in rows]
    axes.set_xscale("log")
    axes.barh(positions, [m - _DWELL_FLOOR for m in medians], left=_DWELL_FLOOR, height=0.6,
              color=[state_colour(r.state) for r in rows], label="median")
    axes.scatter(p90s, positions, marker="|", s=220, color="#1e293b", linewidths=2, label="p90", zorder=3)
    for y, row, right in zip(positions, rows, map(max, medians, p90s)):
        axes.annotate(f"{format_hours(row.median_hours)}  (p90 {format_hours(row.p90_hours)})", (right, y),
                      xytext=(6, 0), textcoords="offset points", va="center", fontsize=8, color="#334155")
    top = max(p90s)
    ticks = [(v, text) for v, text in _DWELL_TICKS if v <= top * 1.5] or [_DWELL_TICKS[0]]
    axes.set_xticks([v for v, _ in ticks], [text for _, text in ticks])
    axes.minorticks_off()
    axes.set_xlim(_DWELL_FLOOR, top * 12)  # a decade of room on the right for the annotations
    axes.set_yticks(positions, [state_label(r.state) for r in rows])
    axes.xaxis.grid(True)
    axes.set_axisbelow(True)
    axes.legend(frameon=False, fontsize=8, loc="lower left", bbox_to_anchor=(0, 1), ncols=2)
    return figure


def deficiency_chart(report: FunnelReport) -> Figure | None:
    rows = report.deficiency_codes[:TOP_CODES]
    if not rows:
        return None
    figure, axes = _figure(0.9 + 0.3 * len(rows))
    positions = list(range(len(rows))[::-1])
    ever = axes.barh(positions, [r.ever for r in rows], color="#cbd5e1", height=0.7, label="ever (any decision)")
    axes.barh(positions, [r.latest for r in rows], color="#f59e0b", height=0.7, label="latest decision")
    _label_bars(axes, ever, horizontal=True)
    axes.set_yticks(positions, [r.code for r in rows])
    axes.set_xlabel("applications")
    axes.xaxis.grid(True)
    axes.set_axisbelow(True)
    axes.legend(frameon=False, fontsize=8, loc="lower left", bbox_to_anchor=(0, 1), ncols=2)
    return figure


def rounds_chart(report: FunnelReport) -> Figure | None:
    if not report.request_rounds:
        return None
    figure, axes = _figure(2.8)
    bars = axes.bar([b.rounds for b in report.request_rounds], [b.applications for b in report.request_rounds],
                    color=SERIES_COLOURS[0], width=0.7)
    _label_bars(axes, bars)
    axes.set_xticks([b.rounds for b in report.request_rounds])
    axes.set_xlabel("supplementary-material rounds")
    axes.set_ylabel("applications")
    axes.yaxis.grid(True)
    axes.set_axisbelow(True)
    axes.margins(y=0.15)
    return figure


def approval_chart(report: FunnelReport) -> Figure | None:
    summary = report.time_to_approval
    if not summary.count:
        return None
    figure, axes = _figure(2.8)
    bars = axes.bar(range(len(summary.bins)), [b.count for b in summary.bins], color=state_colour("approved"),
                    width=0.75)
    _label_bars(axes, bars)
    axes.set_xticks(range(len(summary.bins)), [b.label for b in summary.bins], rotation=30, ha="right")
    axes.set_ylabel("approved applications")
    axes.set_title(f"median {format_hours(summary.median_hours)} · p90 {format_hours(summary.p90_hours)}",
                   loc="left", fontsize=9, color="#475569")
    axes.yaxis.grid(True)
    axes.set_axisbelow(True)
    axes.margins(y=0.15)
    return figure


CHARTS: tuple[tuple[str, str, Callable[[FunnelReport], Figure | None]], ...] = (
    ("states", "Applications per state, stacked by merchant type", states_chart),
    ("dwell", "Median and p90 hours per visit to each state", dwell_chart),
    ("deficiencies", "Most frequent deficiency codes", deficiency_chart),
    ("rounds", "Supplementary-material rounds per application", rounds_chart),
    ("approval", "Time from submission to approval", approval_chart),
)


def write_charts(report: FunnelReport, out_dir: Path, image_format: str = "svg") -> dict[str, Chart]:
    """Writes one file per chart that has data; returns them by key. Nothing for an empty report."""
    if report.is_empty:
        return {}
    # Per-format metadata keys; None drops the field that would make files differ run to run.
    metadata = {"svg": {"Date": None}, "png": {"Software": None}}[image_format]
    written = {}
    with rc_context(_STYLE):
        for key, alt, draw in CHARTS:
            figure = draw(report)
            if figure is None:
                continue
            filename = f"{key}.{image_format}"
            figure.savefig(out_dir / filename, format=image_format, metadata=metadata)
            written[key] = Chart(key=key, filename=filename, alt=alt)
    return written
