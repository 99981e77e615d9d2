"""Schemathesis drives every operation of the back office API's OpenAPI schema with generated requests, as an
admin with a valid session and CSRF token (so requests get past the door): whatever arrives, no server error."""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.integration.backoffice.conftest import PASSWORD, build_case

EXAMPLES_PER_OPERATION = 20


def test_generated_requests_never_cause_a_server_error(services, accounts, launches):
    from onboarding.backoffice.app import create_backoffice_app
    from onboarding.service.staff import log_in

    app = create_backoffice_app(services, launches)
    build_case(services)  # a real case, so lookups hit a populated database
    build_case(services, seed=2, state="manual_review", phone="13900139000")
    session = log_in(services, "ada", PASSWORD, "127.0.0.1")
    headers = {"Cookie": f"onboard_staff={session.token}", "X-CSRF-Token": session.session.csrf_token}
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    # Logging out would end the session the rest of the run stands on (logout has its own tests).
    operations = [op for op in (result.ok() for result in schema.get_all_operations()) if op.path != "/api/logout"]
    assert len(operations) >= 30
    statuses: list[int] = []
    doors: list[int] = []  # answers of everything but the login itself, whose wrong passwords are 401
    for operation in operations:
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(headers=headers)
            statuses.append(response.status_code)
            if operation.path != "/api/login":
                doors.append(response.status_code)
            case.validate_response(response, checks=[not_a_server_error])
            assert "Traceback" not in response.text

        check()

    assert len(statuses) >= len(operations) * 5, "schemathesis generated too few requests to mean anything"
    assert all(status < 500 for status in statuses)
    # Both kinds of answer were reached: accepted requests and refused bad input (400 or 422, by where it fails).
    assert 200 in statuses and {400, 422} & set(statuses)
    assert doors.count(401) == 0, "the session ended during the run: the requests tested only the door"
