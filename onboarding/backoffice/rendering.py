"""Jinja2 for the back office: autoescaped templates, and filters for times (Asia/Shanghai), money (fen) and hours."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

STATE_LABELS = {
    "submitted": "submitted", "checking": "checking", "needs_documents": "needs documents",
    "manual_review": "manual review", "approved": "approved", "shipped": "shipped", "active": "active",
    "rejected": "rejected", "expired": "expired", "withdrawn": "withdrawn",
}
SLA_LEGEND = (("green", "within service level"), ("yellow", "getting late"), ("red", "late: act now"),
              ("none", "no clock running"))


def _local(value: Any, tz: ZoneInfo, with_seconds: bool = False) -> str:
    if value is None or value == "":
        return "—"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M")


def _yuan(fen: Any) -> str:
    if fen is None:
        return "—"
    return f"¥{int(fen) / 100:,.2f}"


def _hours(value: Any) -> str:
    if value is None:
        return "—"
    hours = float(value)
    if hours < 1:
        return f"{round(hours * 60)} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} d"


def _evidence(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "—" if value is None else str(value)


def _percent(part: Any, whole: Any) -> int:
    try:
        return max(0, min(100, round(100 * float(part) / float(whole))))
    except (TypeError, ValueError, ZeroDivisionError):
        return 0


def environment(timezone: str) -> Environment:
    tz = ZoneInfo(timezone)
    env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["local"] = lambda value, seconds=False: _local(value, tz, seconds)
    env.filters["yuan"] = _yuan
    env.filters["hours"] = _hours
    env.filters["evidence"] = _evidence
    env.filters["state_label"] = lambda state: STATE_LABELS.get(str(state), str(state))
    env.globals["percent"] = _percent
    env.globals["sla_legend"] = SLA_LEGEND
    env.globals["timezone_name"] = timezone
    return env
