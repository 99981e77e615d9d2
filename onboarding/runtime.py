"""Process-level set-up for entry points: Prefect's environment must be in place before prefect is imported."""
from __future__ import annotations

import os
from pathlib import Path

from onboarding.settings import Settings


EPHEMERAL_SERVICES_OFF = ("SCHEDULER", "LATE_RUNS", "FOREMAN", "PAUSE_EXPIRATIONS", "REPOSSESSOR",
                          "CANCELLATION_CLEANUP", "TRIGGERS", "DB_VACUUM", "CLEANUP_RECONCILER")


def configure_prefect(settings: Settings) -> None:
    """Embedded default: Prefect's ephemeral API with its own database under ONBOARD_HOME.

    Only defaults are set; a PREFECT_API_URL or PREFECT_HOME from the environment wins (scale-out).
    """
    os.environ.setdefault("PREFECT_HOME", str(settings.resolved_home / "prefect"))
    # Prefect creates only the last level of its home; on a new installation ours does not exist yet.
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    if "PREFECT_API_URL" not in os.environ:
        # The ephemeral server shares one SQLite file between its API and its background loops; the loops
        # an embedded run has no use for (schedules, late runs, workers, automations) only add lock contention.
        for service in EPHEMERAL_SERVICES_OFF:
            os.environ.setdefault(f"PREFECT_SERVER_SERVICES_{service}_ENABLED", "false")
        # Registering Prefect's block types costs its server a second of CPU at every start; no flow of ours
        # uses blocks.
        os.environ.setdefault("PREFECT_API_BLOCKS_REGISTER_ON_START", "false")
    # tesseract's OpenMP threads fight each other on small machines; we parallelise across processes.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
