"""A round answers the merchant's uploads until a decision asks for something it does not ask for."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from onboarding.domain.requests import ItemStatus, SupplementaryRequest, item_uploads

AT = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)


def item(code: str, document_type: str | None, uploads: list[str] | None = None, message: str = "…") -> dict:
    return {"code": code, "document_type": document_type, "field": None, "message_zh": message,
            "message_en": message, "staff_note": "", **({"uploads": uploads} if uploads is not None else {})}


EXPIRED = item("document_expired", "id_card_back", ["id_card_back", "id_card_front"], "expired 2024-03-01")
CARD = item("card_number_mismatch", "bank_card", ["bank_card"])


def round_of(*items: dict) -> SupplementaryRequest:
    return SupplementaryRequest(application_id="APP-1", round_number=1, created_at=AT, due_at=AT + timedelta(days=10),
                                items=[{**i, "status": ItemStatus.OPEN} for i in items])


def test_the_form_offers_every_document_the_message_asks_for():
    assert round_of(EXPIRED, CARD).open_document_types() == {"id_card_back", "id_card_front", "bank_card"}
    assert item_uploads(item("document_missing", "storefront_photo")) == ["storefront_photo"]  # older items
    assert item_uploads(item("id_number_invalid", None)) == []


def test_asking_again_for_offered_documents_is_nothing_new():
    request = round_of(EXPIRED, CARD)
    assert request.offers_all([item("name_mismatch", "id_card_front", ["id_card_front"])])
    assert request.offers_all([EXPIRED])
    assert not request.offers_all([item("document_missing", "storefront_photo", ["storefront_photo"])])
    assert not request.offers_all([item("id_number_invalid", None, [])])  # about the application: new


def test_a_revision_keeps_the_round_and_settles_what_is_no_longer_asked():
    request = round_of(EXPIRED, CARD)
    again = {**EXPIRED, "message_zh": "expired 2023-01-01", "message_en": "expired 2023-01-01"}
    satisfied, added = request.revise([again])
    assert (satisfied, added) == (["card_number_mismatch"], [])
    assert [(i["code"], i["status"], i["message_en"]) for i in request.items] == [
        ("document_expired", ItemStatus.OPEN, "expired 2023-01-01"),
        ("card_number_mismatch", ItemStatus.SATISFIED, "…"),
    ]
    assert request.round_number == 1 and request.is_open and request.created_at == AT
