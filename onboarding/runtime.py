"""Process-level set-up for entry points: Prefect's environment must be in place before prefect is imported."""
from __future__ import annotations

import os

from onboarding.settings import Settings


def configure_prefect(settings: Settings) -> None:
    """Embedded default: Prefect's ephemeral API with its own database under ONBOARD_HOME.

    Only defaults are set; a PREFECT_API_URL or PREFECT_HOME from the environment wins (scale-out).
    """
    os.environ.setdefault("PREFECT_HOME", str(settings.resolved_home / "prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    # tesseract's OpenMP threads fight each other on small machines; we parallelise across processes.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
