"""The HTTP servers of the embedded default (portal, back office, Prefect's API) under uvicorn, quiet at rest.

uvicorn wakes every 100 ms to refresh its Date header and to look for a stop request: 0.27 % of a core for
each idle server, three of them in `onboard serve`. Once a second is enough for both (the header has
one-second resolution; SIGTERM is still honoured within a second, well inside serve's 10 s stop).
"""
from __future__ import annotations

import asyncio
from typing import Any

TICK_S = 1.0


def run_server(app: Any, **config: Any) -> None:
    """`uvicorn.run(app, **config)` for one process (no reload, no workers), with a one-second tick."""
    # heavy import, paid only by the processes that serve
    import uvicorn

    class QuietServer(uvicorn.Server):
        async def main_loop(self) -> None:
            counter = 0
            # uvicorn's on_tick refreshes the Date header when counter % 10 == 0: every tick here.
            while not await self.on_tick(counter):
                counter = (counter + 10) % 864000
                await asyncio.sleep(TICK_S)

    QuietServer(uvicorn.Config(app, **config)).run()
