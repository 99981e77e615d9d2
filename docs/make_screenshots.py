"""Regenerate docs/portal.png: the merchant portal on a phone, showing an open 补充资料 request.

    .venv/bin/python docs/make_screenshots.py [OUTPUT.png]

Runs the real pipeline on a throw-away embedded installation (sample application with an expired
ID card → OCR → rules → request), then serves the portal and photographs the link's page in the
system Chromium at 390×844 CSS pixels (device scale 2).
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--lang=zh-CN"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
SAMPLE_SEED = 3  # a sample whose only problem is the expired ID card


def open_request_link(services) -> str:
    """Path of a fresh application's upload link, after the real checks asked for documents."""
    from documents.samples.applications import sample_application
    from flows.launch import run_onboarding
    from onboarding.service.application_input import parse_application
    from onboarding.service.submission import UploadedFile, submit_application

    sample = sample_application(SAMPLE_SEED, "small_micro", "expired_id", as_of=services.clock().date())
    files = [UploadedFile(t, data, f"{t}.jpg") for t, data in sample.documents.items()]
    application_id = submit_application(services, parse_application(sample.payload), files, actor="docs")
    state = run_onboarding(services, application_id)
    if state != "needs_documents":
        raise SystemExit(f"expected a documents request, the checks said {state}")
    with services.uow() as uow:
        sealed = uow.applications.get(application_id).links[-1].sealed_token
    return f"/r/{services.sealer.open(sealed)}"


def photograph(url: str, output: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(**PHONE).new_page()
            page.goto(url)
            page.locator("img.thumb").first.wait_for()
            page.screenshot(path=str(output))
        finally:
            browser.close()


def main(output: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="onboard-docs-") as home:
        os.environ["ONBOARD_HOME"] = home
        os.environ.pop("ONBOARD_DATABASE_URL", None)
        from onboarding.bootstrap import get_services, reset_services
        from onboarding.portal.app import create_app
        from onboarding.portal.server import serve_in_background
        from onboarding.runtime import configure_prefect

        reset_services()
        services = get_services()
        configure_prefect(services.settings)
        path = open_request_link(services)
        with serve_in_background(create_app(services, launch=lambda _application_id: None)) as base_url:
            photograph(base_url + path, output)
    print(f"wrote {output}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "portal.png")
