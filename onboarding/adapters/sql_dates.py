"""Date arithmetic inside SQL, for the two dialects we run on.

`plus_days(timestamp, days)` lets a set-based UPDATE compute a per-row deadline (activation time +
the deposit's own window) without pulling rows into Python.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class plus_days(FunctionElement):
    type = DateTime()
    inherit_cache = True
    name = "plus_days"

    def __init__(self, timestamp: Any, days: Any) -> None:
        super().__init__(timestamp, days)


@compiles(plus_days, "postgresql")
def _plus_days_postgresql(element: plus_days, compiler, **kw) -> str:
    timestamp, days = element.clauses
    ts, n = compiler.process(timestamp, **kw), compiler.process(days, **kw)
    return f"({ts} + make_interval(days => CAST({n} AS INTEGER)))"


@compiles(plus_days, "sqlite")
def _plus_days_sqlite(element: plus_days, compiler, **kw) -> str:
    # SQLAlchemy stores 'YYYY-MM-DD HH:MM:SS.ffffff'; strftime keeps only seconds, so the original
    # fraction is appended again and the result compares and parses like any stored timestamp.
    timestamp, days = element.clauses
    ts = compiler.process(timestamp, **kw)
    n = compiler.process(days, **kw)
    return f"(strftime('%Y-%m-%d %H:%M:%S', {ts}, '+' || CAST({n} AS INTEGER) || ' days') || substr({ts}, 20))"

