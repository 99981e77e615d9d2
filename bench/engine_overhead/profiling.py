"""CPU profile of every thread of this process (cProfile with a per-thread CPU clock), grouped by package.

cProfile only hooks the thread that enables it; Prefect runs tasks on pool threads and its API client on an
event-loop thread, so each new thread gets its own profiler through `threading.setprofile`.
"""
from __future__ import annotations

import cProfile
import pstats
import sys
import threading
import time
from collections import defaultdict

BLOCKING_CATEGORY = "blocking calls (waiting: excluded from CPU tables)"
BLOCKING = ("acquire' of '_thread", "'poll' of 'select", "built-in method time.sleep", "'select' of 'select",
            "'wait' of '_thread")
CATEGORIES = (  # first match wins; matched against "file:function"
    (BLOCKING_CATEGORY, BLOCKING),
    ("tesseract wait (subprocess)", ("subprocess.py", "selectors.py", "pytesseract")),
    ("prefect", ("/prefect/",)),
    ("sqlalchemy + sqlite", ("/sqlalchemy/", "sqlite3", "/alembic/")),
    ("threading", ("threading.py",)),
    ("pydantic", ("/pydantic/", "/pydantic_core/")),
    ("PIL (decode, blur, resize)", ("/PIL/",)),
    ("http client + asyncio", ("/httpx/", "/httpcore/", "/anyio/", "/asyncio/", "/h11/", "websockets", "ssl.py",
                               "socket.py")),
    ("logging", ("/logging/",)),
    ("our code: onboarding/flows", ("/onboarding/", "/flows/")),
    ("our code: documents/rules", ("/documents/", "/rules/")),
)


class ThreadProfiler:
    def __init__(self) -> None:
        self.profiles: list[cProfile.Profile] = []
        self._lock = threading.Lock()

    def _new(self) -> cProfile.Profile:
        profile = cProfile.Profile(time.thread_time)
        with self._lock:
            self.profiles.append(profile)
        return profile

    def _start_in_thread(self, *_args) -> None:
        sys.setprofile(None)
        self._new().enable()

    def __enter__(self) -> "ThreadProfiler":
        threading.setprofile(self._start_in_thread)
        self._main = self._new()
        self._main.enable()
        return self

    def __exit__(self, *_exc) -> None:
        self._main.disable()
        threading.setprofile(None)

    def stats(self) -> pstats.Stats:
        stats = None
        for profile in self.profiles:
            profile.create_stats()
            if not profile.stats:
                continue
            stats = pstats.Stats(profile) if stats is None else (stats.add(profile) or stats)
        return stats


def by_category(stats: pstats.Stats) -> dict[str, float]:
    """Own CPU seconds (tottime) per category."""
    totals: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        totals[_category(f"{filename}:{_name}")] += tottime
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


def cpu_categories(by_category_s: dict[str, float], top: list) -> dict[str, float]:
    """CPU per category without blocking calls. With some threads (Prefect's), cProfile's per-thread clock
    still charges time spent blocked in lock.acquire/epoll.poll; those calls are taken out here."""
    categories = dict(by_category_s)
    split = BLOCKING_CATEGORY in categories  # results from before the split mixed them into other categories
    for name in (BLOCKING_CATEGORY, "thread/lock waits"):
        categories.pop(name, None)
    if not split:
        for name, own, _calls in top:
            if any(needle in name for needle in BLOCKING) and "' of '_thread" not in name:  # those were popped
                category = _category(("~:" if name.startswith("{") else "") + name, blocking=False)
                if category in categories:
                    categories[category] = max(0.0, categories[category] - own)
    return dict(sorted(categories.items(), key=lambda item: -item[1]))


def _category(where: str, blocking: bool = True) -> str:
    for name, needles in CATEGORIES:
        if name == BLOCKING_CATEGORY and not blocking:
            continue
        if any(needle in where for needle in needles):
            return name
    if where.startswith(("~", "<")):
        return "other builtins (json, hashing, imports, ...)"
    return "other python"


def top_functions(stats: pstats.Stats, count: int = 15) -> list[tuple[str, float, int]]:
    rows = [(f"{pstats.func_std_string(key)}", value[2], value[1]) for key, value in stats.stats.items()]
    return sorted(rows, key=lambda row: -row[1])[:count]
