"""The plain rows the funnel is computed from: what the query module reads, what unit tests build by hand.

Named tuples rather than frozen dataclasses: a report reads hundreds of thousands of them, and a frozen
dataclass costs several times as much to construct.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple


class ApplicationRow(NamedTuple):
    application_id: str
    merchant_type: str
    business_name: str
    created_at: datetime


class TransitionRow(NamedTuple):
    """One `transition` audit event. Rows of one application with the same `at` keep their given order."""

    application_id: str
    at: datetime
    from_state: str | None
    to_state: str


class DecisionRow(NamedTuple):
    decision_id: int
    application_id: str
    decided_at: datetime


class DeficiencyRow(NamedTuple):
    decision_id: int
    code: str


class RequestRow(NamedTuple):
    application_id: str
    opened_at: datetime


class ComplaintRow(NamedTuple):
    complaint_id: str
    category: str
    opened_at: datetime
    closed_at: datetime | None
    clocks: list[dict]  # the complaint's clock entries, every round (domain.complaints)


@dataclass(slots=True)
class FunnelInputs:
    applications: list[ApplicationRow] = field(default_factory=list)
    transitions: list[TransitionRow] = field(default_factory=list)
    decisions: list[DecisionRow] = field(default_factory=list)
    deficiencies: list[DeficiencyRow] = field(default_factory=list)
    requests: list[RequestRow] = field(default_factory=list)
    complaints: list[ComplaintRow] = field(default_factory=list)
