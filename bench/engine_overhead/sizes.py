"""How big each figure is for `--size tiny` (CI smoke, < 90 s) and `--size full` (the numbers we publish)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    name: str
    applications: int  # figure 1: applications in the shared sample set
    schedule: tuple[str, ...]  # figure 1: the order raw and engine runs alternate in
    cli_applications: int  # figure 1a: `onboard submit --wait` processes (each starts Prefect's API server)
    thread_workers: int  # figure 1b: applications in flight at once in one process
    stub_applications: int  # profile: engine with OCR answered instantly (pure engine cost)
    stub_jobs: tuple[str, ...]  # profile: alternating baseline / heartbeat-off runs
    demo_count: int  # figure 6: `onboard demo --count`
    sweep_applications: int  # figure 4
    sweep_transactions_per_terminal: int
    sweep_timeout_s: float
    portal_merchants: int  # figure 5
    portal_upload_bytes: int
    one_engine_process: bool  # tiny: every in-process engine job shares one process (one Prefect start)
    concurrent_figures: bool  # tiny: independent figures run at the same time (no timing is claimed)
    repeats: int  # rerun repeats (in process) and shortcut CLI repeats


TINY = Size(name="tiny", applications=2, schedule=("raw", "sequential", "threads"), cli_applications=1,
            thread_workers=2, stub_applications=1, stub_jobs=("stub", "stub-heartbeat-off"), demo_count=1,
            sweep_applications=400, sweep_transactions_per_terminal=3, sweep_timeout_s=60, portal_merchants=5,
            portal_upload_bytes=1_000_000, one_engine_process=True, concurrent_figures=True, repeats=2)

FULL = Size(name="full", applications=40, schedule=("raw", "sequential", "raw", "threads", "cli"),
            cli_applications=3, thread_workers=2, stub_applications=8,
            stub_jobs=("stub", "stub-heartbeat-off", "stub-heartbeat-off#2", "stub#2"), demo_count=3,
            sweep_applications=100_000, sweep_transactions_per_terminal=5, sweep_timeout_s=60, portal_merchants=50,
            portal_upload_bytes=1_000_000, one_engine_process=False, concurrent_figures=False, repeats=5)

SIZES = {size.name: size for size in (TINY, FULL)}
