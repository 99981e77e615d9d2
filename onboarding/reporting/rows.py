"""The plain rows the funnel is computed from: what the query module reads, what unit tests build by hand."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ApplicationRow:
    application_id: str
    merchant_type: str
    business_name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TransitionRow:
    """One `transition` audit event. Rows of one application with the same `at` keep their given order."""

    application_id: str
    at: datetime
    from_state: str | None
    to_state: str


@dataclass(frozen=True, slots=True)
class DecisionRow:
    decision_id: int
    application_id: str
    decided_at: datetime


@dataclass(frozen=True, slots=True)
class DeficiencyRow:
    decision_id: int
    code: str


@dataclass(frozen=True, slots=True)
class RequestRow:
    application_id: str
    opened_at: datetime


@dataclass(slots=True)
class FunnelInputs:
    applications: list[ApplicationRow] = field(default_factory=list)
    transitions: list[TransitionRow] = field(default_factory=list)
    decisions: list[DecisionRow] = field(default_factory=list)
    deficiencies: list[DeficiencyRow] = field(default_factory=list)
    requests: list[RequestRow] = field(default_factory=list)
