"""The staff queue: every application with what it waits on, filtered, sorted, paged; and its CSV export."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from onboarding.adapters.queue_sql import SORT_COLUMNS, QueueQuery
from onboarding.domain.search import search_digests
from onboarding.domain.states import ApplicationState
from onboarding.domain.sla import SLA_COLOURS
from onboarding.service.ports import CaseServices
from onboarding.service.views import BLOCKER_BY_STATE
from rules.model import MerchantType

PAGE_SIZE = 50
MAX_EXPORT_ROWS = 100_000
# "open": what is still moving (the queue's default view); "all": every state.
OPEN_STATES = (ApplicationState.SUBMITTED, ApplicationState.CHECKING, ApplicationState.NEEDS_DOCUMENTS,
               ApplicationState.MANUAL_REVIEW, ApplicationState.APPROVED)
STATE_GROUPS = {"open": OPEN_STATES, "all": ()}
APPLICATION_ID = re.compile(r"^APP-[0-9A-Z]{1,8}$")
CSV_COLUMNS = ("application_id", "merchant", "merchant_type", "state", "sla", "age_hours", "in_state_hours",
               "blocker", "assignee", "request_round", "request_due_at", "possible_duplicate")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


class QueueRefused(ValueError):
    """A filter value that means nothing (an unknown state, a page of letters)."""


@dataclass(frozen=True)
class QueueFilter:
    states: tuple[str, ...] = ()
    merchant_type: str | None = None
    sla: str | None = None
    assignee: str | None = None  # "me", "none" or a username
    duplicates_only: bool = False
    q: str = ""
    sort: str = "waiting"
    descending: bool = True
    page: int = 1
    page_size: int = PAGE_SIZE
    raw_state: str = field(default="", compare=False)


def parse_filter(*, state: str | None = None, merchant_type: str | None = None, sla: str | None = None,
                 assignee: str | None = None, duplicates: str | bool | None = None, q: str | None = None,
                 sort: str | None = None, direction: str | None = None, page: str | int | None = None,
                 default_state: str = "all") -> QueueFilter:
    """From query-string values; every bad value is refused with its name."""
    raw_state = (state or default_state).strip()
    if raw_state in STATE_GROUPS:
        states = tuple(str(s) for s in STATE_GROUPS[raw_state])
    else:
        states = tuple(v.strip() for v in raw_state.split(",") if v.strip())
        unknown = [v for v in states if v not in ApplicationState.__members__.values()]
        if unknown:
            raise QueueRefused(f"state: unknown {', '.join(unknown)} (states: open, all, "
                               f"{', '.join(s.value for s in ApplicationState)})")
    if merchant_type and merchant_type not in {m.value for m in MerchantType}:
        raise QueueRefused(f"type: unknown merchant type {merchant_type!r}")
    if sla and sla not in SLA_COLOURS:
        raise QueueRefused(f"sla: one of {', '.join(SLA_COLOURS)}")
    if sort and sort not in SORT_COLUMNS:
        raise QueueRefused(f"sort: one of {', '.join(SORT_COLUMNS)}")
    if direction and direction not in ("asc", "desc"):
        raise QueueRefused("dir: asc or desc")
    try:
        number = int(page or 1)
    except (TypeError, ValueError):
        raise QueueRefused("page: a number from 1") from None
    if number < 1 or number > 1_000_000:
        raise QueueRefused("page: a number from 1")
    text = (q or "").strip()
    if len(text) > 100:
        raise QueueRefused("q: at most 100 characters")
    return QueueFilter(states=states, merchant_type=merchant_type or None, sla=sla or None,
                       assignee=(assignee or None), duplicates_only=duplicates in (True, "1", "true", "on", "yes"),
                       q=text, sort=sort or "waiting", descending=(direction or "desc") == "desc", page=number,
                       raw_state=raw_state)


def _query(services: CaseServices, chosen: QueueFilter, username: str | None) -> QueueQuery:
    assignee = chosen.assignee
    if assignee == "me":
        assignee = username or ""
    elif assignee == "none":
        assignee = ""
    text = chosen.q
    id_prefix = text.upper() if text and APPLICATION_ID.match(text.upper()) else None
    digests = tuple((str(k), v) for k, v in search_digests(services.index_key, text).items()) if text else ()
    # A full ID, phone or card number, or an application id, is looked up as such: no business name holds one,
    # and the name search is the one that reads every row.
    name = text or None if not (digests or id_prefix) else None
    return QueueQuery(now=services.clock(), states=chosen.states, merchant_type=chosen.merchant_type,
                      sla=chosen.sla, assignee=assignee, duplicates_only=chosen.duplicates_only,
                      id_prefix=id_prefix, name_contains=name, digests=digests, sort=chosen.sort,
                      descending=chosen.descending, limit=chosen.page_size,
                      offset=(chosen.page - 1) * chosen.page_size)


def _hours(delta) -> float:
    return round(delta.total_seconds() / 3600, 1)


def _blocker(state: str, codes: list[str]) -> str:
    if state == ApplicationState.NEEDS_DOCUMENTS and codes:
        return ", ".join(codes)
    if state == ApplicationState.MANUAL_REVIEW and codes:
        return f"staff review: {', '.join(codes)}"
    return BLOCKER_BY_STATE.get(ApplicationState(state), "")


def _row(services: CaseServices, raw: dict[str, Any], codes: list[str], now: datetime) -> dict[str, Any]:
    tz = ZoneInfo(services.settings.timezone)
    state = str(raw["state"])
    return {
        "application_id": raw["id"], "merchant": raw["business_name"], "merchant_type": str(raw["merchant_type"]),
        "state": state, "age_hours": _hours(now - raw["created_at"]),
        "in_state_hours": _hours(now - raw["in_state_since"]), "sla": raw["sla"], "blocker": _blocker(state, codes),
        "assignee": raw["assignee"], "request_round": raw["round_number"],
        "request_age_hours": _hours(now - raw["request_created_at"]) if raw["request_created_at"] else None,
        "request_due_at": raw["due_at"].astimezone(tz).isoformat() if raw["due_at"] else None,
        "possible_duplicate": bool(raw["possible_duplicate"]),
    }


def queue_page(services: CaseServices, chosen: QueueFilter, username: str | None = None) -> dict[str, Any]:
    query = _query(services, chosen, username)
    with services.uow() as uow:
        raw = uow.queue.rows(query)
        total = uow.queue.count(query)
        codes = uow.queue.latest_findings([r["id"] for r in raw])
    rows = [_row(services, r, codes.get(r["id"], []), query.now) for r in raw]
    pages = max(1, -(-total // chosen.page_size))
    return {"page": chosen.page, "page_size": chosen.page_size, "pages": pages, "total": total, "applications": rows}


def export_rows(services: CaseServices, chosen: QueueFilter, username: str | None = None) -> list[dict[str, Any]]:
    query = replace(_query(services, chosen, username), limit=MAX_EXPORT_ROWS, offset=0)
    with services.uow() as uow:
        raw = uow.queue.rows(query)
        codes: dict[str, list[str]] = {}
        ids = [r["id"] for r in raw]
        for start in range(0, len(ids), 500):
            codes.update(uow.queue.latest_findings(ids[start:start + 500]))
    return [_row(services, r, codes.get(r["id"], []), query.now) for r in raw]


def spreadsheet_safe(value: Any) -> str:
    """A cell a spreadsheet will not run: text starting like a formula gets a leading apostrophe (OWASP)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([spreadsheet_safe(row[c]) for c in CSV_COLUMNS])
    return "\ufeff" + buffer.getvalue()  # the BOM makes Excel read UTF-8 (Chinese names) correctly
