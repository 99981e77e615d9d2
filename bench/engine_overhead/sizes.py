"""How big each figure is for `--size tiny` (CI smoke) and `--size full` (the numbers we publish)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    name: str
    applications: int  # figure 1: applications in the shared sample set
    schedule: tuple[str, ...]  # figure 1: the order raw and engine runs alternate in
    latency_applications: int  # figure 2: applications onboarded one at a time
    demo_count: int  # figure 6: `onboard demo --count`
    sweep_applications: int  # figure 4
    sweep_transactions_per_terminal: int
    sweep_timeout_s: float
    portal_merchants: int  # figure 5
    portal_upload_bytes: int
    concurrent_figures: bool  # tiny: independent figures run at the same time (no timing is claimed)
    repeats: int  # figure 3: reruns of the finished application
    serve_latency_applications: int  # figure 7: applications submitted one at a time through a serve
    serve_idle_s: float  # figure 7: how long the serve's CPU at rest is measured


TINY = Size(name="tiny", applications=2, schedule=("raw", "engine"), latency_applications=1, demo_count=1,
            sweep_applications=400, sweep_transactions_per_terminal=3, sweep_timeout_s=60, portal_merchants=5,
            portal_upload_bytes=1_000_000, concurrent_figures=True, repeats=2,
            serve_latency_applications=1, serve_idle_s=5)

# Three raw/engine pairs: on a shared machine one pair can be hit by a neighbour's burst; the median pair is not.
FULL = Size(name="full", applications=40,
            schedule=("raw", "engine", "raw", "engine", "raw", "engine", "engine-new-db"),
            latency_applications=20, demo_count=10, sweep_applications=100_000, sweep_transactions_per_terminal=5,
            sweep_timeout_s=60, portal_merchants=50, portal_upload_bytes=1_000_000, concurrent_figures=False,
            repeats=5, serve_latency_applications=10, serve_idle_s=60)

SIZES = {size.name: size for size in (TINY, FULL)}
