"""Real servers for outbox delivery: aiosmtpd SMTP and moto SNS (server mode), both on 127.0.0.1.

`database_url` (tests/conftest.py) runs each test on SQLite, and on PostgreSQL when
ONBOARD_TEST_POSTGRES_URL is set.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# --import-mode=importlib puts no test directory on sys.path; the tests here share notification_world.py.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from notification_world import delivery_services  # noqa: E402

from onboarding.bootstrap import Services  # noqa: E402
from tests.support.smtp_sink import SmtpSink, free_port  # noqa: E402

_FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    "AWS_EC2_METADATA_DISABLED": "true",
}


@pytest.fixture(scope="module")
def sns_endpoint() -> Iterator[str]:
    """moto's SNS as a real HTTP server for this module's tests."""
    from moto.server import ThreadedMotoServer

    with pytest.MonkeyPatch.context() as patch:
        for name, value in _FAKE_AWS_ENV.items():
            patch.setenv(name, value)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink


ServicesFactory = Callable[[int], Services]


@pytest.fixture
def services_with_smtp_port(tmp_path: Path, database_url: str, sns_endpoint: str) -> ServicesFactory:
    """Services wired to SMTP on the given port and to moto SNS, on the test database."""
    return lambda port: delivery_services(tmp_path / "home", database_url, smtp_port=port,
                                          sns_endpoint_url=sns_endpoint)


@pytest.fixture
def services(services_with_smtp_port: ServicesFactory, smtp_sink: SmtpSink) -> Services:
    return services_with_smtp_port(smtp_sink.port)


@pytest.fixture
def closed_smtp_port() -> int:
    return free_port()
