"""The staff queue as one set-based query: filter, sort and page in the database, so a page of 50 costs the
same with 10 or 100,000 applications. SLA colours come from `domain.sla.SLA_LIMITS` (the Python twin is
`sla_colour`; tests/integration/backoffice/test_queue.py checks they agree)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select, union
from sqlalchemy.orm import Session

from onboarding.adapters.backoffice_tables import case_assignments, duplicate_matches, search_index
from onboarding.adapters.orm import applications, decisions, supplementary_requests
from onboarding.domain.sla import SLA_LIMITS

SORT_COLUMNS = ("waiting", "age", "state", "merchant", "due", "id")


@dataclass(frozen=True)
class QueueQuery:
    now: datetime
    states: tuple[str, ...] = ()
    merchant_type: str | None = None
    sla: str | None = None
    assignee: str | None = None  # a username, or "" for unassigned
    duplicates_only: bool = False
    id_prefix: str | None = None
    name_contains: str | None = None
    digests: tuple[tuple[str, str], ...] = ()
    sort: str = "waiting"
    descending: bool = True
    limit: int | None = 50
    offset: int = 0


def _sla_expression(now: datetime, limits, state_clock, request_clock):
    whens = []
    for state, limit in limits.items():
        clock = request_clock if limit.clock == "request" else state_clock
        green, yellow = now - timedelta(hours=limit.yellow_after), now - timedelta(hours=limit.red_after)
        colour = case((clock.is_(None), literal("none")), (clock > green, literal("green")),
                      (clock > yellow, literal("yellow")), else_=literal("red"))
        whens.append((applications.c.state == str(state), colour))
    return case(*whens, else_=literal("none"))


class QueueSql:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _parts(self, query: QueueQuery):
        # The open round through ix_supplementary_requests_application_status (by status alone SQLite would scan
        # every open round per application); flagged duplicates as one set, not a subquery per row.
        request = (select(supplementary_requests.c.application_id, supplementary_requests.c.round_number,
                          supplementary_requests.c.created_at, supplementary_requests.c.due_at)
                   .where(supplementary_requests.c.status == "open").subquery("open_request"))
        flagged = union(
            select(duplicate_matches.c.application_id).where(duplicate_matches.c.cleared_at.is_(None)),
            select(duplicate_matches.c.other_id).where(duplicate_matches.c.cleared_at.is_(None)))
        state_clock = func.coalesce(applications.c.state_changed_at, applications.c.created_at)
        sla = _sla_expression(query.now, SLA_LIMITS, state_clock, request.c.created_at)
        duplicate = applications.c.id.in_(flagged)
        full = (applications
                .outerjoin(request, request.c.application_id == applications.c.id)
                .outerjoin(case_assignments, case_assignments.c.application_id == applications.c.id))
        # Choosing the page joins only what its filters and sort need; the page's 50 rows get the rest.
        needs_request = query.sla is not None or query.sort == "due"
        narrow = applications
        if needs_request:
            narrow = narrow.outerjoin(request, request.c.application_id == applications.c.id)
        conditions = []
        if query.states:
            conditions.append(applications.c.state.in_(query.states))
        if query.merchant_type:
            conditions.append(applications.c.merchant_type == query.merchant_type)
        if query.sla:
            conditions.append(sla == query.sla)
        if query.assignee is not None:
            assigned = select(case_assignments.c.application_id)
            conditions.append(applications.c.id.not_in(assigned) if query.assignee == "" else
                              applications.c.id.in_(assigned.where(case_assignments.c.assignee == query.assignee)))
        if query.duplicates_only:
            conditions.append(duplicate)
        found = []
        if query.id_prefix:
            found.append(applications.c.id.like(f"{query.id_prefix}%"))
        if query.name_contains:
            escaped = query.name_contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            found.append(applications.c.business_name.ilike(f"%{escaped}%", escape="\\"))
        if query.digests:
            found.append(applications.c.id.in_(
                select(search_index.c.application_id)
                .where(or_(*(and_(search_index.c.kind == kind, search_index.c.digest == value)
                             for kind, value in query.digests)))))
        if query.id_prefix is not None or query.name_contains is not None or query.digests:
            conditions.append(or_(*found) if found else literal(False))
        # Time in state sorts on the indexed column itself (set on every application since 0009), so the default
        # view walks the index instead of sorting every open application.
        sorts = {"waiting": applications.c.state_changed_at, "age": applications.c.created_at, "state": applications.c.state,
                 "merchant": applications.c.business_name, "due": request.c.due_at, "id": applications.c.id}
        # "waiting" and "age" descending mean the longest first: the oldest clock.
        key = sorts.get(query.sort, applications.c.state_changed_at)
        oldest_first = query.sort in ("waiting", "age")
        ascending = query.descending == oldest_first
        order = [key.asc() if ascending else key.desc(), applications.c.id]
        columns = [applications.c.id, applications.c.business_name, applications.c.merchant_type,
                   applications.c.state, applications.c.created_at, state_clock.label("in_state_since"),
                   request.c.round_number, request.c.created_at.label("request_created_at"), request.c.due_at,
                   case_assignments.c.assignee, sla.label("sla"), duplicate.label("possible_duplicate")]
        return narrow, full, conditions, columns, order

    def rows(self, query: QueueQuery) -> list[dict[str, Any]]:
        """Two steps: the page's ids (sorting only ids and the sort key), then those rows in full."""
        narrow, full, conditions, columns, order = self._parts(query)
        page = select(applications.c.id).select_from(narrow).where(*conditions).order_by(*order).offset(query.offset)
        if query.limit is not None:
            page = page.limit(query.limit)
        ids = list(self.session.scalars(page))
        if not ids:
            return []
        position = {application_id: n for n, application_id in enumerate(ids)}
        rows = []
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows += [dict(r) for r in self.session.execute(
                select(*columns).select_from(full).where(applications.c.id.in_(chunk))).mappings()]
        return sorted(rows, key=lambda r: position[r["id"]])

    def count(self, query: QueueQuery) -> int:
        narrow, _, conditions, _, _ = self._parts(query)
        return self.session.execute(select(func.count()).select_from(narrow).where(*conditions)).scalar_one()

    def latest_findings(self, application_ids: list[str]) -> dict[str, list[str]]:
        """Codes of each application's latest decision (the queue's blocker column)."""
        if not application_ids:
            return {}
        latest = (select(func.max(decisions.c.id)).where(decisions.c.application_id.in_(application_ids))
                  .group_by(decisions.c.application_id))
        rows = self.session.execute(select(decisions.c.application_id, decisions.c.deficiency_codes)
                                    .where(decisions.c.id.in_(latest)))
        return {a: sorted({d["code"] for d in (found or [])}) for a, found in rows}
