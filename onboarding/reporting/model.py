"""What the staff monitoring report says, as one document: the JSON of `onboard report --json`.

Durations are hours (3 decimals). Percentiles interpolate linearly between ranks, so the median of an
even number of values is the mean of the middle two.
"""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class StateCount(BaseModel):
    state: str
    total: int
    by_merchant_type: dict[str, int]


class StateDwell(BaseModel):
    """Time spent in one state, one value per visit (an application that returns to a state counts twice)."""

    state: str
    visits: int = Field(description="Finished visits plus open ones.")
    open_visits: int = Field(description="Applications in the state at the as-of time; their visit counts "
                                         "up to the as-of time.")
    median_hours: float | None
    p90_hours: float | None
    max_hours: float | None


class DeficiencyCount(BaseModel):
    code: str
    latest: int = Field(description="Applications whose latest decision lists the code.")
    ever: int = Field(description="Applications with the code in any of their decisions.")


class RoundsBucket(BaseModel):
    rounds: int
    applications: int


class DurationBin(BaseModel):
    label: str
    lower_hours: float
    upper_hours: float | None = Field(description="Exclusive; null for the last, open-ended bin.")
    count: int


class DurationSummary(BaseModel):
    count: int
    median_hours: float | None
    p90_hours: float | None
    bins: list[DurationBin]


class WaitingApplication(BaseModel):
    application_id: str
    business_name: str
    merchant_type: str
    state: str
    waiting_since: datetime
    waiting_hours: float
    age_hours: float
    request_rounds: int
    latest_codes: list[str]


class ComplaintCategoryCount(BaseModel):
    category: str
    total: int
    open: int = Field(description="Not closed at the as-of time.")


class ComplaintStageLevel(BaseModel):
    stage: str = Field(description="acknowledge | first_answer | resolve")
    met_on_time: int
    met_late: int
    breached_unmet: int = Field(description="Due time passed, stage not reached by the as-of time.")
    pending: int
    attainment: float | None = Field(description="met_on_time / (met_on_time + met_late + breached_unmet).")
    median_hours: float | None = Field(description="From the clock's start (opening or reopening) to meeting it.")


class ComplaintReport(BaseModel):
    total: int = 0
    by_category: list[ComplaintCategoryCount] = Field(default_factory=list)
    service_levels: list[ComplaintStageLevel] = Field(default_factory=list)


class FunnelReport(BaseModel):
    as_of: datetime
    total_applications: int
    by_state: list[StateCount]
    by_merchant_type: dict[str, int]
    dwell: list[StateDwell]
    deficiency_basis: str = Field(
        default="per application: latest = its latest decision lists the code; ever = any of its decisions did")
    deficiency_codes: list[DeficiencyCount]
    request_rounds: list[RoundsBucket] = Field(description="Supplementary-material rounds opened per application.")
    time_to_approval: DurationSummary = Field(description="Creation (submitted) to the first move to approved.")
    waiting_on_staff: list[WaitingApplication] = Field(description="Oldest in manual_review first.")
    waiting_on_merchants: list[WaitingApplication] = Field(description="Oldest in needs_documents first.")
    complaints: ComplaintReport = Field(default_factory=ComplaintReport,
                                        description="Complaints per category and their service levels.")

    @property
    def is_empty(self) -> bool:
        return self.total_applications == 0

    def count_in(self, state: str) -> int:
        return next((s.total for s in self.by_state if s.state == state), 0)
