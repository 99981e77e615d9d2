"""How numbers and states look on the page and in the charts, in one place so both agree."""
from __future__ import annotations

STATE_COLOURS: dict[str, str] = {
    "submitted": "#94a3b8", "checking": "#38bdf8", "needs_documents": "#f59e0b", "manual_review": "#a855f7",
    "approved": "#22c55e", "shipped": "#16a34a", "active": "#15803d", "rejected": "#ef4444",
    "expired": "#b91c1c", "withdrawn": "#9ca3af",
}
OTHER_COLOUR = "#64748b"
SERIES_COLOURS: tuple[str, ...] = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#9c755f", "#76b7b2")


def state_colour(state: str) -> str:
    return STATE_COLOURS.get(state, OTHER_COLOUR)


def state_label(state: str) -> str:
    return state.replace("_", " ")


def format_hours(value: float | None) -> str:
    """Minutes under an hour, hours under two days, days beyond: the unit staff would say out loud."""
    if value is None:
        return "—"
    if value < 1:
        return f"{value * 60:.0f} min"
    if value < 48:
        return f"{value:.1f} h"
    return f"{value / 24:.1f} d"
