"""Hand-built funnel inputs, recorded the way the audit trail would record them."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from onboarding.reporting.funnel import compute_funnel
from onboarding.reporting.rows import (
    ApplicationRow, DecisionRow, DeficiencyRow, FunnelInputs, RequestRow, TransitionRow)

T0 = datetime(2026, 11, 2, 0, 0, tzinfo=timezone.utc)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


class World:
    """Builds FunnelInputs the way the audit trail would record them."""

    def __init__(self) -> None:
        self.inputs = FunnelInputs()
        self._next_decision = 1

    def app(self, app_id: str, created: float, *steps: tuple[float, str], merchant_type: str = "sole_trader",
            name: str = "") -> str:
        self.inputs.applications.append(ApplicationRow(app_id, merchant_type, name or app_id, at(created)))
        state = "submitted"
        for hour, target in steps:
            self.inputs.transitions.append(TransitionRow(app_id, at(hour), state, target))
            state = target
        return app_id

    def decision(self, app_id: str, hour: float, *codes: str, decision_id: int | None = None) -> None:
        decision_id = decision_id or self._next_decision
        self._next_decision = max(self._next_decision, decision_id) + 1
        self.inputs.decisions.append(DecisionRow(decision_id, app_id, at(hour)))
        self.inputs.deficiencies.extend(DeficiencyRow(decision_id, c) for c in codes)

    def rounds(self, app_id: str, *hours: float) -> None:
        self.inputs.requests.extend(RequestRow(app_id, at(h)) for h in hours)

    def report(self, as_of_hours: float, **options):
        return compute_funnel(self.inputs, at(as_of_hours), **options)
