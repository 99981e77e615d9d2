"""A merchant's side of 补充资料 in a real browser: email link → see what is wrong → upload → approved.

Everything is real: sample documents, OCR, rules, the Prefect flow (session test server), SMTP to a
local mailbox, the portal on a socket, and Chromium on a phone-sized screen.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from documents.samples.applications import encode_jpeg, expired_identity, sample_application
from documents.samples.identity import add_years, make_identity
from documents.samples.render import render
from documents.types import DocumentType as D
from onboarding.service.application_input import parse_application
from onboarding.service.submission import UploadedFile, submit_application

pytestmark = pytest.mark.e2e

SEED = 3  # seeds whose other documents read cleanly, so the ID card is the only open item
FLOW_SECONDS = 240
# Whatever the checks decide, one of these appears once they are done.
SETTLED = ".banner.approved, .banner.review, form"


def submit_expired_card(services, seed: int = SEED) -> tuple[str, object]:
    sample = sample_application(seed, "small_micro", "expired_id", as_of=services.clock().date())
    files = [UploadedFile(t, data, f"{t}.jpg") for t, data in sample.documents.items()]
    return submit_application(services, parse_application(sample.payload), files, actor="test"), sample


def checked_and_emailed(services, inbox, application_id: str, email_address: str) -> str:
    from flows.launch import run_onboarding

    assert run_onboarding(services, application_id) == "needs_documents"
    (link,) = inbox.links_for(email_address)
    return link


def current_state(services, application_id: str) -> str:
    with services.uow() as uow:
        return str(uow.applications.get(application_id).state)


def card_back_file(tmp_path: Path, identity, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(encode_jpeg(render(D.ID_CARD_BACK, identity, seed=identity.seed)))
    return path


def decision_of(services, application_id: str) -> tuple[str, list]:
    with services.uow() as uow:
        latest = uow.applications.get(application_id).latest_decision
        return str(latest.outcome), [(d["code"], d["document_type"]) for d in latest.deficiencies]


def open_items(page) -> dict[str, str]:
    return {card.get_attribute("data-document"): card.get_attribute("data-code")
            for card in page.locator('section.card[data-status="missing"]').all()}


def test_a_merchant_replaces_an_expired_id_card_and_is_approved(services, inbox, portal_url, phone, tmp_path):
    from playwright.sync_api import expect

    from flows.launch import run_onboarding

    application_id, sample = submit_expired_card(services)
    email_address = sample.payload["email"]
    link = checked_and_emailed(services, inbox, application_id, email_address)
    assert link.startswith(f"{portal_url}/r/")

    phone.goto(link)
    expect(phone.locator("h1")).to_have_text("补充资料")
    assert open_items(phone) == {"id_card_back": "document_expired"}
    expired_on = sample.identity.valid_until.isoformat()
    expect(phone.locator('section[data-document="id_card_back"] .reason')).to_contain_text(expired_on)
    thumbnail = phone.locator('section[data-document="id_card_back"] img.thumb')
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("img => img.naturalWidth") > 0  # served by the portal, allowed by the CSP
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone
    phone.screenshot(path=tmp_path / "portal-open-items.png")

    renewed = make_identity(SEED, as_of=sample.identity.as_of, merchant_type="small_micro")
    assert renewed.valid_until is None or renewed.valid_until > sample.identity.as_of
    phone.set_input_files('input[name="id_card_back"]', card_back_file(tmp_path, renewed, "new-back.jpg"))
    phone.get_by_role("button", name="提交资料").click()

    expect(phone.locator("[role=status]")).to_contain_text("资料已收到，正在审核")  # straight after the upload
    expect(phone.locator(SETTLED).first).to_be_visible(timeout=FLOW_SECONDS * 1000)
    assert current_state(services, application_id) == "approved", decision_of(services, application_id)
    expect(phone.locator(".banner.approved")).to_contain_text("审核通过")
    assert phone.locator('section[data-status="accepted"]').count() == 1
    sent = len(inbox.to(email_address))
    assert sent == 2  # the request, then the approval
    assert run_onboarding(services, application_id) == "approved"
    assert len(inbox.to(email_address)) == sent  # a rerun sends nothing again


def test_a_wrong_upload_comes_back_with_the_new_reason(services, inbox, portal_url, phone, tmp_path):
    from playwright.sync_api import expect

    application_id, sample = submit_expired_card(services, SEED + 2)
    link = checked_and_emailed(services, inbox, application_id, sample.payload["email"])
    phone.goto(f"{link}?lang=en")
    first_reason = phone.locator('section[data-document="id_card_back"] .reason').inner_text()
    assert "expired on" in first_reason and sample.identity.valid_until.isoformat() in first_reason

    # Someone else's card back, expired even longer ago: the checks must say so, with its date.
    stranger = expired_identity(SEED + 99, "small_micro", sample.identity.as_of)
    ran_out = stranger.valid_until - timedelta(days=400)
    stranger = stranger.model_copy(update={"valid_until": ran_out, "valid_from": add_years(ran_out, -20)})
    phone.set_input_files('input[name="id_card_back"]', card_back_file(tmp_path, stranger, "wrong-back.jpg"))
    phone.get_by_role("button", name="Send documents").click()

    expect(phone.locator(SETTLED).first).to_be_visible(timeout=FLOW_SECONDS * 1000)
    assert decision_of(services, application_id) == ("needs_documents", [("document_expired", "id_card_back")])
    new_reason = phone.locator('section[data-document="id_card_back"][data-status="missing"] .reason')
    expect(new_reason).to_contain_text(f"expired on {ran_out.isoformat()}")
    assert phone.locator('input[name="id_card_back"]').count() == 1  # the form is back for another try
    assert phone.locator('input[name="id_card_front"]').count() == 1  # "front and back": both are offered
    with services.uow() as uow:  # refused within its round: no new round, link or message
        assert [r.round_number for r in uow.applications.get(application_id).requests] == [1]
    assert len(inbox.to(sample.payload["email"])) == 1
