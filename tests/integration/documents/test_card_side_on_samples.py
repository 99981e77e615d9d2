"""The configured OCR engine on generated pictures: the ID card side a picture shows, whichever slot it was
sent in, and identifiers printed with a wrong check character read as printed."""
from __future__ import annotations

from datetime import date

import pytest

from documents.fields import extract_fields
from documents.ocr import OcrEngine, open_ocr_engine
from documents.samples import variants
from documents.samples.identity import make_identity
from documents.samples.render import render
from documents.types import DocumentType as D
from tests.support.tesseract import needs_chi_sim

pytestmark = needs_chi_sim

AS_OF = date(2026, 1, 15)
FRONT, BACK = D.ID_CARD_FRONT, D.ID_CARD_BACK
SIDE_FIELDS = {"front": ("name", "id_number"), "back": ("valid_until",)}


@pytest.fixture(scope="module")
def engine() -> OcrEngine:
    from onboarding.settings import Settings

    return open_ocr_engine(Settings().ocr_engine)


@pytest.mark.parametrize(("shown", "slot", "level", "seed"), [
    (FRONT, FRONT, "clean", 0), (BACK, BACK, "clean", 0),
    (FRONT, BACK, "clean", 1), (BACK, FRONT, "clean", 1),  # swapped, or the front photographed twice
    (FRONT, BACK, "photo", 2), (BACK, FRONT, "scan", 2),
])
def test_a_card_side_is_told_and_read_whichever_slot_it_was_sent_in(engine, shown, slot, level, seed):
    person = make_identity(seed, as_of=AS_OF)
    fields = extract_fields(engine.read(render(shown, person, level=level, seed=seed), slot), slot)
    side = "front" if shown == FRONT else "back"
    assert fields["card_side"].value == side and fields["card_side"].confidence >= 0.6
    read = {name: fields[name].value for name in SIDE_FIELDS[side] if name in fields}
    expected = {"name": person.name, "id_number": person.id_number,
                "valid_until": person.valid_until.isoformat() if person.valid_until else "长期"}
    assert read == {name: expected[name] for name in SIDE_FIELDS[side]}


@pytest.mark.parametrize(("shown", "level"), [(D.BANK_CARD, "clean"), (D.BUSINESS_LICENSE, "scan"),
                                              (D.ADDRESS_PROOF, "clean")])
def test_another_document_in_an_id_slot_is_no_id_card(engine, shown, level):
    person = make_identity(3, as_of=AS_OF, merchant_type="sole_trader")
    fields = extract_fields(engine.read(render(shown, person, level=level), FRONT), FRONT)
    assert fields["card_side"].value == "not_id_card"
    assert "name" not in fields and "id_number" not in fields


def test_a_shop_photo_with_hardly_any_text_gives_no_verdict(engine):
    fields = extract_fields(engine.read(render(D.INTERIOR_PHOTO, make_identity(3, as_of=AS_OF)), FRONT), FRONT)
    assert "card_side" not in fields  # the quality and readability checks speak for it


@pytest.mark.parametrize(("document_type", "field", "attribute"), [
    (D.BUSINESS_LICENSE, "uscc", "uscc"), (D.ID_CARD_FRONT, "id_number", "id_number"),
])
def test_identifier_with_a_wrong_check_character_is_read_as_printed_when_passes_agree(
        engine, document_type, field, attribute):
    person = make_identity(108, as_of=AS_OF, merchant_type="sole_trader")
    printed = variants.with_wrong_check_char(getattr(person, attribute))
    image = render(document_type, person.model_copy(update={attribute: printed}), seed=108)
    fields = extract_fields(engine.read(image, document_type), document_type)
    assert fields[field].value == printed
    assert fields[field].confidence >= 0.6  # what the rules act on: a clear read of an invalid identifier
