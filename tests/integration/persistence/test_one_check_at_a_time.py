"""Parallel runs of one application's checks: one decision per round, one move out of `checking`, no errors."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from onboarding.domain.states import ApplicationState as S
from onboarding.service.application_input import parse_application
from onboarding.service.checking import begin_check, evaluate_application, record_decision
from onboarding.service.submission import submit_application
from tests.support.applications import valid_application
from tests.support.installation import services_for

PARALLEL_RUNS = 8


def test_parallel_runs_record_one_decision_and_move_the_application_once(tmp_path, database_url):
    services = services_for(tmp_path / "home", database_url)
    application_id = submit_application(services, parse_application(valid_application()), [], actor="test")
    plan = begin_check(services, application_id)
    assert plan.state == S.CHECKING
    decision = evaluate_application(services, application_id)

    with ThreadPoolExecutor(max_workers=PARALLEL_RUNS) as pool:
        states = list(pool.map(lambda _: record_decision(services, application_id, decision, plan.fingerprint),
                               range(PARALLEL_RUNS)))

    with services.uow() as uow:
        application = uow.applications.get(application_id)
        decisions = len(application.decisions)
        moves = [e for e in application.events if e.from_state == str(S.CHECKING)]
        rounds = len(application.requests)
        final = application.state
    assert set(states) == {final} and final != S.CHECKING
    assert (decisions, len(moves)) == (1, 1)
    assert rounds == (1 if final == S.NEEDS_DOCUMENTS else 0)
