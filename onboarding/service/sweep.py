"""Everything that becomes due with time, in one pass: `onboard sweep --as-of` and the scheduled flow."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from onboarding.notifications.delivery import deliver_pending
from onboarding.service.calls import flag_overdue_calls
from onboarding.service.changes import expire_changes
from onboarding.service.complaints import sweep_complaint_clocks
from onboarding.service.deposits import sweep_ledger
from onboarding.service.ports import CaseServices
from onboarding.service.request_sweep import sweep_requests
from onboarding.service.staging import sweep_staging


def run_sweep(services: CaseServices, as_of: datetime | None = None) -> dict[str, Any]:
    as_of = as_of or services.clock()
    report: dict[str, Any] = {"as_of": as_of.isoformat()}
    report["requests"] = sweep_requests(services, as_of)
    report["ledger"] = sweep_ledger(services, as_of).to_dict()
    report["calls"] = {"overdue_flagged": flag_overdue_calls(services, as_of)}
    report["changes"] = {"expired": expire_changes(services, as_of)}
    report["complaints"] = sweep_complaint_clocks(services, as_of)
    report["notifications"] = deliver_pending(services).model_dump()
    report["staging"] = sweep_staging(services)
    return report
