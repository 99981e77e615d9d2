"""The README's main job on a machine where nothing exists yet: no ONBOARD_HOME, no Prefect server anywhere."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli_process import base_environment

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.e2e
def test_demo_on_a_new_installation_starts_its_own_prefect_and_ends_as_planted(tmp_path):
    home = tmp_path / "not" / "created" / "yet"  # Prefect's home lives under it: both must be made
    env = {name: value for name, value in base_environment().items() if not name.startswith("PREFECT_")}
    env.update(ONBOARD_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false")

    done = subprocess.run([sys.executable, "-m", "onboarding.cli.main", "demo", "--count", "2", "--json"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)

    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert [a["scenario"] for a in result["applications"]] == ["complete", "complete"]
    assert all(a["state"] in ("approved", "manual_review") for a in result["applications"]), result
    assert (home / "prefect" / "prefect.db").exists() and (home / "onboard.db").exists()
    assert (home / "logs" / "prefect-server.log").exists()  # the server was ours, not one Prefect started itself
    assert _prefect_servers_of(home) == [], "the demo left its Prefect API server running"


def _prefect_servers_of(home: Path) -> list[int]:
    """Processes serving Prefect's API for this installation (we start it as `python -m onboarding.orchestrator`)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes()
            environment = (entry / "environ").read_bytes()
        except OSError:  # not a process, or gone meanwhile
            continue
        if b"onboarding.orchestrator" in command and f"ONBOARD_HOME={home}".encode() in environment.split(b"\0"):
            found.append(int(entry.name))
    return found
