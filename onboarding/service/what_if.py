"""`onboard rules what-if`: the applications still in flight, decided by the current and by candidate rules.

Read only: the facts come from what OCR already extracted (nothing is read again), and the unit of
work is left without a commit, so the database ends exactly as it started.
"""
from __future__ import annotations

from onboarding.domain.states import ApplicationState
from onboarding.service.checking import application_facts, local_today
from onboarding.service.ports import CheckServices
from rules.schema import RuleSet
from rules.what_if import WhatIfCase, WhatIfReport, what_if

# Applications a rules change could still redirect; later states are decided and acted upon.
IN_FLIGHT_STATES = (ApplicationState.SUBMITTED, ApplicationState.CHECKING, ApplicationState.NEEDS_DOCUMENTS,
                    ApplicationState.MANUAL_REVIEW)


def in_flight_cases(services: CheckServices) -> list[WhatIfCase]:
    with services.uow() as uow:
        return [WhatIfCase(application_id=application.id, facts=application_facts(application),
                           waivers=frozenset(application.waiver_keys()))
                for application in uow.applications.list(list(IN_FLIGHT_STATES))]


def what_if_in_flight(services: CheckServices, candidate: RuleSet) -> WhatIfReport:
    """Both rule sets judge on the same local day the engine would use now, with the same staff waivers."""
    return what_if(in_flight_cases(services), services.ruleset, candidate, local_today(services))
