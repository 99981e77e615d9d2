"""Fixtures for the hostile corpus: a CLI fork server shared by the module's tests."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.cli_forkserver import ForkServer
from tests.support.cli_process import base_environment


@pytest.fixture(scope="module")
def fork_server() -> Iterator[ForkServer]:
    with ForkServer(base_environment()) as server:
        yield server
