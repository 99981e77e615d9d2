"""Markdown helpers and the marked section of BENCHMARKS.md this suite owns (other sections are left alone)."""
from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

START = "<!-- engine-overhead:results:start (written by bench/run_all.py; edit the script, not this) -->"
END = "<!-- engine-overhead:results:end -->"


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return "n/a" if math.isnan(value) else f"{value:,.2f}"
    return str(value)


def fmt(value: float, digits: int = 2) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:,.{digits}f}"


def replace_section(path: Path, body: str, markers: tuple[str, str] = (START, END)) -> None:
    """Writes `body` between the markers (this suite's by default), keeping everything else in the file as it was."""
    start, end = markers
    section = f"{start}\n{body.rstrip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")
