"""Starting the checks of applications: the one interface every entry point uses (CLI, portal, back office,
demo), whatever runs the flows.

Two implementations, chosen once in the wiring (`Services.runs`, onboarding.bootstrap): embedded (the run
queue of this home, taken by `onboard serve`'s runner when one runs, otherwise by a runner this process
starts or by this process itself) and deployment (runs of a Prefect deployment on a work pool, the scale-out
path). Both start flows, which onboarding/ never imports: the implementations are registered under the
entry-point group `onboarding.runs` (pyproject.toml) and looked up by name.
"""
from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import entry_points
from typing import Protocol

ENTRY_POINT_GROUP = "onboarding.runs"
# What `rerun --from` can redo, each step something the other does not: "ocr" reads the documents again (a new
# engine, a misread); "check" extracts the fields again from the readings kept and evaluates the rules (fixed
# extraction, new rule files). Stored files are never taken in again: a new file is a new upload.
RERUN_STEPS = ("ocr", "check")
# Names `--from` took before, each of which redid exactly what "check" redoes.
FORMER_RERUN_STEPS = {"intake": "check", "extract": "check"}


class Runs(Protocol):
    def warm_up(self, application_ids: Sequence[str] = ()) -> None:
        """Starts, without waiting, what running these applications will need (an orchestrator, OCR of their
        documents), so it overlaps other work; nothing when another process will run them."""

    def wait_ready(self) -> None:
        """Returns once runs can start at once (the orchestrator answers)."""

    def start(self, application_ids: Sequence[str], from_step: str | None = None) -> None:
        """Starts the checks and returns at once; the applications are recorded already, so a start that is
        lost loses nothing (`onboard rerun --failed`)."""

    def run_and_wait(self, application_ids: Sequence[str], timeout: float | None = None,
                     from_step: str | None = None) -> dict[str, str]:
        """Runs the checks to their end and returns each application's state; TimeoutError after `timeout`
        seconds (the runs go on)."""


class NoRunsImplementation(RuntimeError):
    """No implementation registered under that name: the project's metadata is missing (`pip install -e .`)."""


def load_runs(kind: str, services) -> Runs:
    """The implementation registered as `kind` ("embedded" or "deployment"), built for these services."""
    found = entry_points(group=ENTRY_POINT_GROUP, name=kind)
    if not found:
        raise NoRunsImplementation(f"no {kind!r} implementation of {ENTRY_POINT_GROUP} is installed; "
                                   f"reinstall the project (pip install -e .)")
    return next(iter(found)).load()(services)
