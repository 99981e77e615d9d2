"""Schemathesis drives every operation of the portal's OpenAPI schema with generated requests:
whatever arrives, the portal answers without a server error and within its documented responses."""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from onboarding.portal.app import create_app
from onboarding.portal.ratelimit import PortalLimits, RateLimit

EXAMPLES_PER_OPERATION = 60


def test_generated_requests_never_cause_a_server_error(services):
    from tests.integration.portal.conftest import Launches, build_merchant

    generous = RateLimit(1_000_000, 60)
    app = create_app(services, launch=Launches(),
                     limits=PortalLimits(per_ip=generous, per_token=generous, uploads_per_token=generous))
    build_merchant(services)  # a real application behind some token, so lookups hit a populated database
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = list(schema.get_all_operations())
    assert len(operations) >= 3
    statuses: list[int] = []
    for result in operations:
        operation = result.ok()

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call()
            statuses.append(response.status_code)
            case.validate_response(response, checks=[not_a_server_error])
            assert "Traceback" not in response.text

        check()

    assert len(statuses) >= len(operations) * 10, "schemathesis generated too few requests to mean anything"
    assert all(status < 500 for status in statuses)
