"""Regenerate docs/backoffice-queue.png and docs/backoffice-case.png: the staff back office on the demo's data.

    .venv/bin/python docs/make_backoffice_screenshots.py [--home DIR]

Without --home, runs `onboard demo` on a throw-away installation first (real OCR, rules and decisions; a few
minutes). Then adds a reviewer, serves the back office in this process and photographs the queue and the
name-mismatch case in the system Chromium at 1440×1100 CSS pixels.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DOCS = Path(__file__).resolve().parent
PASSWORD = "screenshot-password-1"


def photograph(base_url: str, case_id: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1440, "height": 1100}, locale="en-GB",
                                       timezone_id="Asia/Shanghai").new_page()
            page.goto(f"{base_url}/login")
            page.fill("#username", "reviewer")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.goto(f"{base_url}/?state=all")
            page.screenshot(path=str(DOCS / "backoffice-queue.png"))
            page.goto(f"{base_url}/applications/{case_id}")
            page.locator(".doc-pane.active img.document-image").evaluate(
                "img => img.complete && img.naturalWidth ? null : new Promise(r => img.onload = r)")
            page.screenshot(path=str(DOCS / "backoffice-case.png"))
            if os.environ.get("FULL_PAGE"):
                page.screenshot(path="/tmp/backoffice-case-full.png", full_page=True)
        finally:
            browser.close()


def main(home: str | None) -> None:
    if home is None:
        home = tempfile.mkdtemp(prefix="onboard-docs-")
        os.environ["ONBOARD_HOME"] = home
        from onboarding.cli.common import cli_services
        from onboarding.demo import run_demo

        run_demo(cli_services(), 10, progress=True)
    os.environ["ONBOARD_HOME"] = home
    os.environ.pop("ONBOARD_DATABASE_URL", None)
    from onboarding.backoffice.app import create_backoffice_app
    from onboarding.bootstrap import get_services, reset_services
    from onboarding.portal.server import serve_in_background
    from onboarding.service.staff import add_staff, list_staff

    reset_services()
    services = get_services()
    if "reviewer" not in {a.username for a in list_staff(services)}:
        add_staff(services, "reviewer", "reviewer", PASSWORD, actor="docs")
    with services.uow() as uow:
        cases = [a for a in uow.applications.list() if a.latest_decision and any(
            d["code"] == "name_mismatch" for d in a.latest_decision.deficiencies)]
        case_id = cases[0].id if cases else uow.applications.list()[0].id
    with serve_in_background(create_backoffice_app(services, launch=lambda *_: None)) as base_url:
        photograph(base_url, case_id)
    print(DOCS / "backoffice-queue.png", DOCS / "backoffice-case.png", file=sys.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="an installation that ran `onboard demo` already")
    main(parser.parse_args().home)
