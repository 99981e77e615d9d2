"""Renders the report page. Autoescaping is on for everything: business names and codes are merchant
and rule data, and end up inside HTML text and attributes."""
from __future__ import annotations

from datetime import datetime, timezone, tzinfo
from pathlib import Path

from jinja2 import Environment, StrictUndefined
from markupsafe import Markup

from onboarding.domain.states import SETTLED_STATES, ApplicationState
from onboarding.reporting.charts import TOP_CODES, Chart
from onboarding.reporting.formatting import format_hours, state_colour, state_label
from onboarding.reporting.funnel import MERCHANT_QUEUE, STAFF_QUEUE
from onboarding.reporting.model import FunnelReport
from onboarding.reporting.template import PAGE

# Still being onboarded: everything the flow has not settled (approved onwards is shipping, not onboarding).
IN_PROGRESS_STATES = tuple(s.value for s in ApplicationState if s not in SETTLED_STATES)


def _environment(display_tz: tzinfo) -> Environment:
    environment = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.filters["hours"] = format_hours
    environment.filters["label"] = state_label
    environment.filters["local"] = lambda at: at.astimezone(display_tz).strftime("%Y-%m-%d %H:%M")
    return environment


def _badge(state: str) -> Markup:
    return Markup('<span class="badge" style="background: {}">{}</span>').format(
        state_colour(state), state_label(state))


def _image(charts: dict[str, Chart], key: str) -> Markup:
    chart = charts.get(key)
    if chart is None:
        return Markup("")
    return Markup('<img src="{}" alt="{}">').format(chart.filename, chart.alt)


def _tiles(report: FunnelReport) -> list[dict[str, str]]:
    approval = report.time_to_approval
    return [
        {"label": "applications", "value": str(report.total_applications), "colour": "#0f172a"},
        {"label": "in progress", "value": str(sum(report.count_in(s) for s in IN_PROGRESS_STATES)),
         "colour": state_colour("checking")},
        {"label": "waiting on staff (manual review)", "value": str(report.count_in(STAFF_QUEUE)),
         "colour": state_colour(STAFF_QUEUE)},
        {"label": "waiting on merchants (documents)", "value": str(report.count_in(MERCHANT_QUEUE)),
         "colour": state_colour(MERCHANT_QUEUE)},
        {"label": f"median to approval ({approval.count} approved)", "value": format_hours(approval.median_hours),
         "colour": state_colour("approved")},
        {"label": "p90 to approval", "value": format_hours(approval.p90_hours), "colour": state_colour("shipped")},
    ]


def render_page(report: FunnelReport, charts: dict[str, Chart], display_tz: tzinfo = timezone.utc) -> str:
    as_of: datetime = report.as_of.astimezone(display_tz)
    zone_name = getattr(display_tz, "key", None) or as_of.tzname()
    return _environment(display_tz).from_string(PAGE).render(
        report=report,
        as_of_text=f"{as_of:%Y-%m-%d %H:%M} ({zone_name})",
        tiles=_tiles(report),
        top_codes=TOP_CODES,
        waiting=[("Oldest waiting on staff — manual review", report.waiting_on_staff, "staff"),
                 ("Oldest waiting on merchants — needs documents", report.waiting_on_merchants, "merchants")],
        image=lambda key: _image(charts, key),
        badge=_badge,
    )


def write_page(report: FunnelReport, charts: dict[str, Chart], out_dir: Path,
               display_tz: tzinfo = timezone.utc) -> Path:
    path = out_dir / "index.html"
    path.write_text(render_page(report, charts, display_tz), encoding="utf-8")
    return path

