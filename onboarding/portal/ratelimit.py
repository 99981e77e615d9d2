"""In-memory sliding-window rate limits: per client IP and per upload token.

One process, one memory: behind several portal processes each counts on its own, which still
bounds guessing and hammering per process. A shared store would be the scale-out step.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class RateLimit:
    requests: int
    per_seconds: float


@dataclass(frozen=True)
class PortalLimits:
    # A checking page refreshes every 3 s (20/min) and loads thumbnails, so per-token limits leave room.
    per_ip: RateLimit = RateLimit(300, 60)
    per_token: RateLimit = RateLimit(120, 60)
    uploads_per_token: RateLimit = RateLimit(10, 600)


class SlidingWindow:
    """`allow(key)` is True while `key` made fewer than `limit.requests` calls in the last window."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.clock = clock
        self.max_keys = max_keys  # forged tokens are unbounded; memory must not be
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self.clock()
        horizon = now - self.limit.per_seconds
        with self._lock:
            hits = self._hits.pop(key, None) or deque()
            while hits and hits[0] <= horizon:
                hits.popleft()
            allowed = len(hits) < self.limit.requests
            if allowed:
                hits.append(now)
            self._hits[key] = hits  # most recently used last
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
            return allowed
