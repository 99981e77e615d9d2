"""Installations with explicit keys on a real database (SQLite, and PostgreSQL when configured)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

# --import-mode=importlib puts no test directory on sys.path; the tests here share security_world.py.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from security_world import SecurityWorld  # noqa: E402


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> SecurityWorld:
    return SecurityWorld(database_url, tmp_path / "home")
