"""Who is asked (issue 15), with real files through the real flow: sample documents rendered by the generator,
OCR, the rules, the outbox; the portal over HTTP for the merchant's second try.

- A complete application whose bank-card photo passed the quality gate but whose number could not be read goes
  to staff (manual_review) with the partial reading, not back to the merchant.
- An expired ID card asks for the new card front and back, and the form offers both; a second upload that is
  refused again is explained on the page at once, in the same round, with no new link and no new message.
"""
from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from PIL import ImageDraw
from sqlalchemy import func, select

from documents.samples.applications import encode_jpeg, expired_identity, sample_application
from documents.samples.identity import add_years
from documents.samples.render import render
from documents.types import DocumentType as D
from onboarding.adapters.outbox import outbox
from onboarding.bootstrap import get_services
from onboarding.service.application_input import parse_application
from onboarding.service.submission import UploadedFile, submit_application

pytestmark = pytest.mark.e2e

SEED = 3  # a seed whose documents read cleanly at the clean level (see tests/e2e/browser/test_portal_browser.py)


@pytest.fixture
def services(onboard_home, prefect_api_url):
    return get_services()


def submit(services, sample, replace: dict | None = None) -> str:
    documents = {**sample.documents, **(replace or {})}
    files = [UploadedFile(t, data, f"{t}.jpg") for t, data in documents.items()]
    return submit_application(services, parse_application(sample.payload), files, actor="test")


def messages_of(services, application_id: str) -> int:
    with services.uow() as uow:
        return uow.session.execute(select(func.count()).select_from(outbox)
                                   .where(outbox.c.application_id == application_id)).scalar_one()


def card_without_its_number(sample) -> bytes:
    """The applicant's own card, photographed sharp and large, with the number band covered by a sticker."""
    image = render(D.BANK_CARD, sample.identity, seed=sample.identity.seed).convert("RGB")
    width, height = image.size
    ImageDraw.Draw(image).rectangle((int(width * 0.1), int(height * 0.57), int(width * 0.72), int(height * 0.71)),
                                    fill=(230, 212, 214))
    return encode_jpeg(image)


def test_a_sharp_photo_with_a_field_unread_goes_to_staff_not_the_merchant(services):
    from flows.launch import run_onboarding

    sample = sample_application(SEED, "small_micro", "complete", as_of=services.clock().date())
    application_id = submit(services, sample, {D.BANK_CARD: card_without_its_number(sample)})
    assert run_onboarding(services, application_id) == "manual_review"
    with services.uow() as uow:
        application = uow.applications.get(application_id)
        card = application.current_documents()[D.BANK_CARD]
        assert card.width >= 800 and card.blur_score >= 100  # it passed the quality gate
        (finding,) = application.latest_decision.deficiencies
        assert not application.requests  # no supplementary request, no upload link
    assert (finding["code"], finding["variant"], finding["merchant_fixable"]) == \
        ("document_unreadable", "sharp_image", False)
    assert "passed the quality gate" in finding["staff_note"] and "card number" in finding["staff_note"]
    assert "无需重新上传" in finding["message_zh"]


def test_a_refused_portal_upload_stays_in_its_round_and_sends_nothing(services):
    from flows.launch import run_onboarding
    from onboarding.portal.app import create_app
    from onboarding.portal.server import serve_in_background

    sample = sample_application(SEED, "small_micro", "expired_id", as_of=services.clock().date())
    application_id = submit(services, sample)
    assert run_onboarding(services, application_id) == "needs_documents"
    sent = messages_of(services, application_id)
    assert sent >= 1
    with services.uow() as uow:  # the link the message carried (sealed for staff to resend it)
        (link,) = uow.applications.get(application_id).links
        token = services.sealer.open(link.sealed_token)

    launched: list[str] = []
    with serve_in_background(create_app(services, launched.append)) as base_url, \
            httpx.Client(base_url=base_url, timeout=60) as client:
        page = client.get(f"/r/{token}?lang=en").text
        assert "front and back" in page
        # The message asks for the new card, front and back: the form offers both.
        assert 'name="id_card_back"' in page and 'name="id_card_front"' in page

        # Someone else's card back, expired even longer ago: refused again, with its own date.
        stranger = expired_identity(SEED + 99, "small_micro", sample.identity.as_of)
        ran_out = stranger.valid_until - timedelta(days=400)
        stranger = stranger.model_copy(update={"valid_until": ran_out, "valid_from": add_years(ran_out, -20)})
        wrong_back = encode_jpeg(render(D.ID_CARD_BACK, stranger, seed=stranger.seed))
        answer = client.post(f"/r/{token}/upload", files={"id_card_back": ("back.jpg", wrong_back, "image/jpeg")})
        assert answer.status_code == 303 and launched == [application_id]
        assert run_onboarding(services, application_id) == "needs_documents"

        page = client.get(f"/r/{token}?lang=en").text  # the same link still works: no new one was issued
        assert f"expired on {ran_out.isoformat()}" in page  # the new reason, on the page at once
        assert 'name="id_card_back"' in page and 'name="id_card_front"' in page
    with services.uow() as uow:
        application = uow.applications.get(application_id)
        assert [r.round_number for r in application.requests] == [1]
        assert len(application.links) == 1
        assert any(e.action == "request_revised" for e in application.events)
    assert messages_of(services, application_id) == sent  # no SMS, no e-mail for the refusal
