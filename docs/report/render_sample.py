"""Renders `onboard report` for a realistic, seeded sample and screenshots it to docs/report.png.

    .venv/bin/python docs/report/render_sample.py [--count 200] [--keep DIR]

Builds 200 applications through the domain (with timelines drawn from plausible waiting times) in a
throw-away SQLite home, runs the report command, and screenshots index.html with headless Chromium.
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
AS_OF = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
CODES = {"document_blurry": 20, "document_missing": 15, "document_expired": 12, "document_missing_back": 6,
         "address_proof_too_old": 8, "settlement_account_name_mismatch": 7, "document_too_small": 6,
         "address_mismatch": 5, "business_name_mismatch": 4, "id_number_mismatch": 3}
CITIES = ["台山市", "深圳市南山区", "广州市天河区", "佛山市顺德区", "东莞市", "江门市蓬江区", "珠海市香洲区"]
SHOPS = ["昌良小吃店", "优品便利店", "阿芳糖水铺", "老陈五金店", "新潮理发店", "顺记烧腊", "好邻居超市",
         "金沙茶餐厅", "明亮眼镜店", "小林水果行", "家和药房", "星河奶茶"]


class Timeline:
    """One application moved through the domain; nothing is recorded past AS_OF."""

    def __init__(self, rng: random.Random, number: int) -> None:
        from onboarding.domain.model import Application

        self.rng = rng
        created = AS_OF - timedelta(hours=rng.triangular(0.2, 24 * 21, 24))
        self.app = Application(
            merchant_type=rng.choices(["small_micro", "sole_trader", "enterprise"], [50, 35, 15])[0],
            legal_name="王昌良", id_number="440781197506032481", phone="13800138000", email=None,
            business_name=f"{rng.choice(CITIES)}{rng.choice(SHOPS)}", business_address="广东省江门市台山市北陡镇沙咀村12号",
            settlement_holder_name="王昌良", settlement_number="6222021234567890123", settlement_bank="中国工商银行",
            device_model="P2", created_at=created)
        self.now = created
        self.number = number

    def wait(self, mean_hours: float) -> bool:
        """Advances by a log-normal wait; False (and stays put) when that would pass AS_OF."""
        later = self.now + timedelta(hours=mean_hours * self.rng.lognormvariate(-0.35, 0.85))
        if later > AS_OF:
            return False
        self.now = later
        return True

    def move(self, state) -> None:
        self.app.transition(state, actor="engine", reason="sample", at=self.now)

    def decide(self, codes: list[str]) -> None:
        from onboarding.domain.model import DecisionRecord

        self.app.decisions.append(DecisionRecord(
            application_id=self.app.id, outcome="needs_documents" if codes else "approved",
            deficiencies=[{"code": c, "document_type": "id_card_front"} for c in codes], warnings=[],
            rules_version="sample", ocr_engine="tesseract 5.3.0", fingerprint="0" * 64, decided_at=self.now))


def simulate(timeline: Timeline) -> None:
    from onboarding.domain.states import ApplicationState as S

    t, rng = timeline, timeline.rng
    if not t.wait(0.1):
        return
    t.move(S.CHECKING)
    for round_number in range(1, 5):
        if not t.wait(0.05):
            return
        outcome = rng.choices(["approve", "documents", "review", "reject"],
                              [45 + 15 * round_number, 40 - 8 * round_number, 15, 5])[0]
        if outcome == "review":
            t.decide(["ocr_low_confidence"])
            t.move(S.MANUAL_REVIEW)
            if not t.wait(30):
                return
            outcome = rng.choices(["approve", "reject"], [85, 15])[0]
        if outcome == "reject":
            t.decide(["id_number_mismatch"])
            t.move(S.REJECTED)
            return
        if outcome == "approve":
            t.decide([])
            t.move(S.APPROVED)
            if t.wait(48):
                t.move(S.SHIPPED)
                if rng.random() < 0.85 and t.wait(120):
                    t.move(S.ACTIVE)
            return
        codes = sorted(set(rng.choices(list(CODES), list(CODES.values()), k=rng.randint(1, 3))))
        t.decide(codes)
        t.app.request_documents([{"code": c, "document_type": "id_card_front"} for c in codes], at=t.now,
                                due_at=t.now + timedelta(days=10), actor="engine")
        t.move(S.NEEDS_DOCUMENTS)
        if rng.random() < 0.12:  # never answers: expires after the 10 days, if that has come yet
            if t.now + timedelta(days=10) <= AS_OF:
                t.now += timedelta(days=10)
                t.move(S.EXPIRED)
            return
        if not t.wait(40):
            return
        t.move(S.CHECKING)


def build(home: Path, count: int, seed: int) -> None:
    os.environ["ONBOARD_HOME"] = str(home)
    os.environ.pop("ONBOARD_DATABASE_URL", None)
    from onboarding.adapters.orm import start_mappers
    from onboarding.bootstrap import get_services, reset_services

    reset_services()
    start_mappers()
    rng = random.Random(seed)
    timelines = [Timeline(rng, n) for n in range(count)]
    for timeline in timelines:
        simulate(timeline)
    with get_services().uow() as uow:
        for timeline in timelines:
            uow.applications.add(timeline.app)
        uow.commit()


def screenshot(page: Path, png: Path) -> None:
    """The whole page at 1280 px wide: Playwright driving the system Chromium measures the page's height;
    without Playwright, Chromium's own --screenshot takes a fixed 1280x2600 window."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--screenshot={png}", "--window-size=1280,2600", page.as_uri()],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.goto(page.as_uri())
        tab.screenshot(path=str(png), full_page=True)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--keep", type=Path, help="Write the report here instead of a temporary directory.")
    parser.add_argument("--png", type=Path, default=REPO / "docs" / "report.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        build(Path(scratch) / "home", args.count, args.seed)
        out = args.keep or Path(scratch) / "report"
        subprocess.run([sys.executable, "-c", "import typer; from onboarding.cli.report_command import report;"
                        "app = typer.Typer(); app.command()(report); app()",
                        "--out", str(out), "--as-of", AS_OF.isoformat()], check=True, env=os.environ)
        screenshot(out / "index.html", args.png)
    print(f"screenshot: {args.png}")


if __name__ == "__main__":
    main()
