"""Reads what the funnel needs with a handful of set-based SELECTs: a few columns per table, never the
aggregates, so 100k applications cost six queries, not 100k object loads."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select, true
from sqlalchemy.orm import Session

from onboarding.adapters.aftercare_tables import complaints
from onboarding.adapters.orm import applications, audit_events, decisions, supplementary_requests
from onboarding.reporting.rows import (
    ApplicationRow, ComplaintRow, DecisionRow, DeficiencyRow, FunnelInputs, RequestRow, TransitionRow)

_BATCH = 10_000


def _rows(session: Session, statement: Select):
    # Streamed in batches: on PostgreSQL a server-side cursor, so memory holds rows, not a whole result twice.
    return session.execute(statement.execution_options(yield_per=_BATCH))


def _applications(session: Session, as_of: datetime) -> list[ApplicationRow]:
    a = applications.c
    statement = select(a.id, a.merchant_type, a.business_name, a.created_at).where(a.created_at <= as_of)
    return [ApplicationRow(i, str(t), name, created) for i, t, name, created in _rows(session, statement)]


def _transitions(session: Session, as_of: datetime) -> list[TransitionRow]:
    e = audit_events.c
    statement = (select(e.application_id, e.at, e.from_state, e.to_state)
                 .where(e.action == "transition", e.to_state.is_not(None), e.at <= as_of)
                 .order_by(e.application_id, e.at, e.id))
    return [TransitionRow(*row) for row in _rows(session, statement)]


def _decisions(session: Session, as_of: datetime) -> list[DecisionRow]:
    d = decisions.c
    statement = select(d.id, d.application_id, d.decided_at).where(d.decided_at <= as_of)
    return [DecisionRow(*row) for row in _rows(session, statement)]


def _deficiency_codes(session: Session, as_of: datetime) -> list[DeficiencyRow]:
    """(decision, code) pairs, unpacked from the JSON list inside the database where it knows how.

    From `deficiency_codes`, the clear copy of what the encrypted findings are about."""
    d = decisions.c
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        element = func.json_each(d.deficiency_codes).table_valued("value").alias("element")
        code = func.json_extract(element.c.value, "$.code")
    elif dialect == "postgresql":
        element = func.json_array_elements(d.deficiency_codes).table_valued("value").alias("element")
        code = element.c.value.op("->>")("code")
    else:
        return _deficiency_codes_in_python(session, as_of)
    statement = (select(d.id, code.label("code")).distinct()
                 .select_from(decisions.join(element, true()))
                 .where(d.decided_at <= as_of, code.is_not(None)))
    return [DeficiencyRow(decision_id, str(c)) for decision_id, c in _rows(session, statement)]


def _deficiency_codes_in_python(session: Session, as_of: datetime) -> list[DeficiencyRow]:
    d = decisions.c
    statement = select(d.id, d.deficiency_codes).where(d.decided_at <= as_of)
    return [DeficiencyRow(decision_id, str(item["code"]))
            for decision_id, items in _rows(session, statement)
            for item in items or () if isinstance(item, dict) and item.get("code")]


def _requests(session: Session, as_of: datetime) -> list[RequestRow]:
    r = supplementary_requests.c
    statement = select(r.application_id, r.created_at).where(r.created_at <= as_of)
    return [RequestRow(*row) for row in _rows(session, statement)]


def _complaints(session: Session, as_of: datetime) -> list[ComplaintRow]:
    c = complaints.c
    statement = select(c.id, c.category, c.opened_at, c.closed_at, c.clocks).where(c.opened_at <= as_of)
    return [ComplaintRow(*row) for row in _rows(session, statement)]


def load_funnel_inputs(session: Session, as_of: datetime) -> FunnelInputs:
    """Everything dated up to `as_of`, from one snapshot where the database gives one cheaply."""
    if session.get_bind().dialect.name == "postgresql":
        # Six statements under READ COMMITTED could each see a different moment; the funnel tolerates it,
        # but a consistent page is worth one option. Must come before the session's first statement.
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    return FunnelInputs(
        applications=_applications(session, as_of),
        transitions=_transitions(session, as_of),
        decisions=_decisions(session, as_of),
        deficiencies=_deficiency_codes(session, as_of),
        requests=_requests(session, as_of),
        complaints=_complaints(session, as_of),
    )
