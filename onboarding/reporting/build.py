"""Builds the report into a directory: read (one transaction), compute, draw, render."""
from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from onboarding.reporting.charts import write_charts
from onboarding.reporting.funnel import compute_funnel
from onboarding.reporting.html import write_page
from onboarding.reporting.model import FunnelReport
from onboarding.reporting.queries import load_funnel_inputs
from onboarding.service.ports import Records


class ReportOutputError(OSError):
    """The output directory cannot be created or written."""


def prepare_out_dir(out_dir: Path) -> Path:
    """Fails before any database work if the directory is unusable; writing a probe file is the only test
    that also holds for root, read-only mounts and ACLs."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".probe-"):
            pass
    except OSError as error:
        raise ReportOutputError(f"--out {out_dir}: not a writable directory ({error.strerror or error})") from None
    return out_dir


def _display_zone(name: str):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def build_report(services: Records, out_dir: Path, as_of: datetime | None = None,
                 image_format: str = "svg") -> tuple[FunnelReport, Path]:
    """Returns the report and the page's path. Charts import matplotlib, so only here, not at CLI start."""
    prepare_out_dir(out_dir)
    as_of = as_of or services.clock()
    with services.uow() as uow:
        inputs = load_funnel_inputs(uow.session, as_of)
    report = compute_funnel(inputs, as_of)
    try:
        charts = write_charts(report, out_dir, image_format)
        page = write_page(report, charts, out_dir, _display_zone(services.settings.timezone))
    except OSError as error:
        raise ReportOutputError(f"--out {out_dir}: cannot write the report ({error.strerror or error})") from None
    return report, page
