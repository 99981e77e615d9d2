"""The page and its charts from a hand-built report: self-contained, escaped, valid files, reproducible."""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ElementTree
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from funnel_world import T0, World
from onboarding.reporting.charts import write_charts
from onboarding.reporting.funnel import compute_funnel
from onboarding.reporting.html import render_page
from onboarding.reporting.rows import FunnelInputs

HOSTILE = '<script>alert("x")</script> & "quotes" $x^2$'


@pytest.fixture
def report():
    w = World()
    w.app("A", 0, (0, "checking"), (1, "approved"))
    w.app("B", 0, (0, "checking"), (2, "needs_documents"), name=HOSTILE)
    w.app("C", 0, (0, "checking"), (3, "manual_review"), merchant_type="enterprise")
    w.decision("B", 2, "document_blurry", "<b>odd$code</b>")
    w.rounds("B", 2)
    return w.report(10)


def test_every_chart_is_a_valid_svg_and_reruns_are_byte_identical(report, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write_charts(report, tmp_path / "a")
    second = write_charts(report, tmp_path / "b")
    assert set(first) == {"states", "dwell", "deficiencies", "rounds", "approval"}
    for chart in first.values():
        data = (tmp_path / "a" / chart.filename).read_bytes()
        assert ElementTree.fromstring(data).tag.endswith("svg")
        assert data == (tmp_path / "b" / chart.filename).read_bytes()
    assert first == second


def test_png_charts_are_valid_images(report, tmp_path):
    charts = write_charts(report, tmp_path, image_format="png")
    for chart in charts.values():
        with Image.open(io.BytesIO((tmp_path / chart.filename).read_bytes())) as image:
            image.verify()
            assert image.format == "PNG"


def test_charts_without_data_are_left_out(tmp_path):
    w = World()
    w.app("A", 0)
    charts = write_charts(w.report(1), tmp_path)
    assert set(charts) == {"states", "dwell", "rounds"}
    assert write_charts(compute_funnel(FunnelInputs(), T0), tmp_path / "none") == {}


def test_the_page_escapes_data_and_loads_nothing_from_elsewhere(report, tmp_path):
    charts = write_charts(report, tmp_path)
    html = render_page(report, charts, ZoneInfo("Asia/Shanghai"))
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;odd$code&lt;/b&gt;" in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert sorted(re.findall(r'<img src="([^"]+)"', html)) == sorted(c.filename for c in charts.values())
    assert "2026-11-02 18:00 (Asia/Shanghai)" in html  # as of T0 + 10 h UTC, shown at UTC+8


def test_an_empty_report_says_so(tmp_path):
    html = render_page(compute_funnel(FunnelInputs(), T0), {})
    assert "No applications yet" in html and "<img" not in html and "(UTC)" in html
