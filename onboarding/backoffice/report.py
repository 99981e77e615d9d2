"""The funnel report (onboarding.reporting), live in the back office: rebuilt at most once a minute into a
private temporary directory and served from there, behind the staff login like every other page."""
from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

from onboarding.bootstrap import Services
from onboarding.reporting.build import build_report

MAX_AGE_SECONDS = 60
NAV = ('<nav style="background:#0f172a;padding:8px 20px;font:14px system-ui,sans-serif">'
       '<a href="/" style="color:#fff;margin-right:16px">← Queue</a>'
       '<a href="/terminals" style="color:#cbd5e1;margin-right:16px">Terminals</a>'
       '<a href="/deposits" style="color:#cbd5e1">Deposits</a></nav>')
# The report page is self-contained: its own inline styles, charts as files beside it, no script.
CSP = ("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


class LiveReport:
    def __init__(self, services: Services, max_age_seconds: float = MAX_AGE_SECONDS) -> None:
        self.services = services
        self.max_age_seconds = max_age_seconds
        self._lock = threading.Lock()
        self._directory: tempfile.TemporaryDirectory | None = None
        self._built_at = 0.0
        self._page = ""
        self._charts: dict[str, Path] = {}

    def _fresh(self) -> None:
        with self._lock:
            if self._directory is not None and time.monotonic() - self._built_at < self.max_age_seconds:
                return
            directory = tempfile.TemporaryDirectory(prefix="onboard-report-")
            _, page = build_report(self.services, Path(directory.name))
            html = page.read_text(encoding="utf-8")
            self._page = html.replace("<body>", "<body>" + NAV, 1)
            self._charts = {p.name: p for p in Path(directory.name).iterdir() if p.suffix in (".svg", ".png")}
            previous, self._directory, self._built_at = self._directory, directory, time.monotonic()
            if previous is not None:
                previous.cleanup()

    def page(self) -> str:
        self._fresh()
        return self._page

    def chart(self, name: str) -> bytes | None:
        self._fresh()
        with self._lock:  # a rebuild removes the previous directory
            path = self._charts.get(name)  # only files this build wrote: no path from the request is opened
            return None if path is None else path.read_bytes()

    def close(self) -> None:
        if self._directory is not None:
            self._directory.cleanup()
