"""The back office's promise to a newcomer: after `onboard demo`, start `onboard serve`, add a staff account with
the README's command, log in and take every demo case to an end state in the browser, without the CLI.

Every approved case is confirmed by phone where the rules ask for it and its terminal shipped; the name mismatch
is looked at and approved; the merchant with the missing ID back sends it through the link in the demo's
outbox (on a phone) and the serve's runner approves it; the expired ID cards end withdrawn and rejected.
Everything is real: the demo, the serve (Prefect, runner, portal, back office), Chromium.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.browser.conftest import LINK, PHONE
from tests.e2e.serve_process import Serve, free_ports, serve_env

pytestmark = pytest.mark.e2e
DESKTOP = {"viewport": {"width": 1440, "height": 1000}, "locale": "en-GB", "timezone_id": "Asia/Shanghai"}
DECISION_S = 300
SHOTS = Path(__file__).parents[3] / "docs"  # where ONBOARD_WALK_SCREENSHOTS=1 leaves the pictures


@pytest.fixture(scope="module")
def walk(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("walk")
    home, ports = workdir / "home", free_ports()
    # The demo's links point where the serve's portal will listen.
    env = serve_env(home) | {"ONBOARD_PORTAL_BASE_URL": f"http://127.0.0.1:{ports['portal']}",
                             "ONBOARD_OCR_PROCESSES": "2"}
    demo = subprocess.run([sys.executable, "-m", "onboarding.cli.main", "demo", "--json"], env=env, cwd=workdir,
                          capture_output=True, text=True, timeout=900)
    assert demo.returncode == 0, demo.stderr
    serve = Serve(home, workdir, ports)
    try:
        added = serve.onboard("staff", "add", "ada", "--role", "admin")  # the README's command
        assert added.returncode == 0, added.stderr
        password = re.search(r"password \(shown once, not stored\): (\S+)", added.stdout).group(1)
        yield {"serve": serve, "cases": json.loads(demo.stdout)["applications"], "password": password}
    finally:
        serve.process.send_signal(signal.SIGTERM)
        serve.process.wait(timeout=30)
        serve.stop()


def test_a_newcomer_takes_every_demo_case_to_an_end_state_in_the_browser(walk, browser, tmp_path):
    from playwright.sync_api import expect

    serve, office = walk["serve"], walk["serve"].endpoints["backoffice"]
    by_scenario: dict[str, list[str]] = {}
    for case in walk["cases"]:
        by_scenario.setdefault(case["scenario"], []).append(case["application_id"])
    context = browser.new_context(**DESKTOP)
    desk = context.new_page()
    desk.goto(office)
    desk.fill("#username", "ada")
    desk.fill("#password", walk["password"])
    desk.click("button[type=submit]")
    desk.wait_for_url(f"{office}/")
    expect(desk.locator("table.queue tbody tr[data-application]")).to_have_count(len(walk["cases"]))
    shot(desk, "walk-1-queue")

    def open_case(application_id: str) -> None:
        desk.goto(f"{office}/applications/{application_id}")
        expect(desk.locator("h1")).to_contain_text(application_id)

    def act(action: str, reason: str | None = None) -> None:
        form = desk.locator(f'form[action$="/{action}"]')
        if form.locator("xpath=ancestor::details").count():  # folded away until staff open it
            form.locator("xpath=ancestor::details[1]/summary").click()
        if reason is not None:
            form.locator("input[name=reason]").fill(reason)
        form.locator("button[type=submit]").first.click()
        expect(desk.locator(".banner.good")).to_contain_text("done")

    def state() -> str:
        return desk.locator("h1 .state").get_attribute("class").split("state-")[-1]

    # The name that differs: both images side by side with what was read, then approve.
    (mismatch,) = by_scenario["name_mismatch"]
    open_case(mismatch)
    expect(desk.locator('article.finding[data-code="name_mismatch"] table.evidence')).to_be_visible()
    desk.click('button.doc-tab[data-document="id_card_front"]')
    image = desk.locator('.doc-pane.active[data-document="id_card_front"] img.document-image')
    desk.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    shot(desk, "walk-2-name-mismatch")
    act("approve", "one character misread on the ID card; the photo and the card agree")
    assert state() == "approved"

    # The missing ID back: the merchant opens the link from the request message on a phone and sends it.
    for application_id, merchant_type, seed in missing_backs(walk["cases"]):
        link = request_link(serve.home, application_id)
        assert link.startswith(serve.endpoints["portal"] + "/r/")
        phone_context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
        phone = phone_context.new_page()
        phone.goto(link)
        back = tmp_path / f"{application_id}-back.jpg"
        back.write_bytes(merchants_id_back(seed, merchant_type))
        phone.set_input_files('input[name="id_card_back"]', back)
        phone.get_by_role("button", name="提交资料").click()
        expect(phone.locator("[role=status]")).to_contain_text("资料已收到")
        phone_context.close()
    for application_id, _, _ in missing_backs(walk["cases"]):
        open_case(application_id)
        deadline = time.monotonic() + DECISION_S
        while state() in ("submitted", "checking", "needs_documents"):  # until the runner has checked it again
            assert time.monotonic() < deadline, desk.locator("main").inner_text()
            desk.wait_for_timeout(1000)
            desk.reload()
        assert state() == "approved", desk.locator("section.findings").inner_text()

    # Expired ID cards: one merchant gave up, the other cannot renew in time.
    first, second = by_scenario["expired_id"]
    open_case(first)
    act("withdraw", "merchant called: closing the shop, no longer wants a terminal")
    assert state() == "withdrawn"
    open_case(second)
    act("reject", "ID card expired; merchant cannot renew it within the request's time")
    assert state() == "rejected"

    # Every approved case: the follow-up call where it is due, then a terminal from stock shipped.
    approved = [c["application_id"] for c in walk["cases"]
                if c["scenario"] in ("complete", "name_mismatch", "missing_back")]
    for n, application_id in enumerate(approved):
        open_case(application_id)
        model = desk.locator("dl.facts dt:text-is('device') + dd").inner_text().strip()
        desk.goto(f"{office}/terminals")
        desk.fill("form[action='/terminals'] input[name=serial_number]", f"WALK{n:04d}")
        desk.fill("form[action='/terminals'] input[name=model]", model)
        desk.click("form[action='/terminals'] button[type=submit]")
        expect(desk.locator(".banner.good")).to_be_visible()
        open_case(application_id)
        call = desk.locator('form[data-action="call-record"]')
        if call.count():
            call.locator('input[value="confirmed"]').check()
            call.locator("input[name=note]").fill("details confirmed with the merchant")
            call.locator("button[type=submit]").click()
            expect(desk.locator(".banner.good")).to_contain_text("done")
        desk.fill('form[action$="/ship"] input[name=serial_number]', f"WALK{n:04d}")
        act("ship")
        assert state() == "shipped"
    shot(desk, "walk-3-shipped")

    desk.goto(f"{office}/?state=all")
    states = {row.get_attribute("data-application"): row.get_attribute("data-state")
              for row in desk.locator("table.queue tbody tr[data-application]").all()}
    shot(desk, "walk-4-queue-done")
    context.close()
    assert sorted(states.values()) == sorted(["shipped"] * 8 + ["withdrawn", "rejected"])
    # No application was touched by a command line: every staff action names the account used in the browser.
    shown = json.loads(serve.onboard("show", mismatch, "--json").stdout)
    assert {e["actor"] for e in shown["history"] if e["actor"].startswith("staff:")} == {"staff:ada"}


def missing_backs(cases: list[dict]) -> list[tuple[str, str, int]]:
    """Each missing-back case with the seed `onboard demo` drew it from (1000 + its place in the plan)."""
    return [(c["application_id"], c["merchant_type"], 1000 + n) for n, c in enumerate(cases)
            if c["scenario"] == "missing_back"]


def merchants_id_back(seed: int, merchant_type: str) -> bytes:
    from datetime import date

    from documents.samples.applications import encode_jpeg, sample_application
    from documents.samples.render import render
    from documents.types import DocumentType as D

    identity = sample_application(seed, merchant_type, "missing_back", as_of=date.today()).identity
    return encode_jpeg(render(D.ID_CARD_BACK, identity, seed=seed), quality=92)


def request_link(home: Path, application_id: str) -> str:
    message = json.loads((home / "outbox" / "sms" / f"{application_id}_request-1_sms.json").read_text("utf-8"))
    return LINK.search(message["body"]).group(0)


def shot(page, name: str) -> None:
    if os.environ.get("ONBOARD_WALK_SCREENSHOTS"):
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)
