"""The real Tesseract reads clean generated documents exactly (no mocks: needs tesseract with chi_sim)."""
from __future__ import annotations

from datetime import date

import pytest

from documents.fields import extract_fields
from documents.ocr import OcrEngine, TesseractEngine
from documents.ocr.preprocess import estimate_skew
from documents.samples.identity import make_identity
from documents.samples.render import render
from documents.samples.truth import ground_truth
from documents.types import OCR_DOCUMENT_TYPES, DocumentType
from tests.support.tesseract import needs_chi_sim

pytestmark = needs_chi_sim

AS_OF = date(2026, 1, 15)
# Seeds 0-2 cover an enterprise and a sole trader licence, a bill and a lease, 16- and 19-digit cards.
SEEDS = (0, 1, 2)
# The fields onboarding decisions hinge on: they must come out exactly.
KEY_FIELDS = {
    DocumentType.ID_CARD_FRONT: ("id_number", "name", "birth_date"),
    DocumentType.ID_CARD_BACK: ("valid_until",),
    DocumentType.BANK_CARD: ("card_number",),
    DocumentType.BUSINESS_LICENSE: ("uscc", "company_name"),
    DocumentType.ADDRESS_PROOF: ("issue_date",),
}

SIDE_SHOWN = {DocumentType.ID_CARD_FRONT: "front", DocumentType.ID_CARD_BACK: "back"}


@pytest.fixture(scope="module")
def engine() -> TesseractEngine:
    return TesseractEngine()


def test_engine_reports_its_versions(engine: TesseractEngine) -> None:
    assert isinstance(engine, OcrEngine)
    assert engine.version.startswith("tesseract ")
    assert engine.version.split()[1][0].isdigit()
    assert engine.pipeline_version


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("document_type", sorted(OCR_DOCUMENT_TYPES))
def test_clean_sample_is_read_exactly(engine: TesseractEngine, document_type: DocumentType, seed: int) -> None:
    person = make_identity(seed, as_of=AS_OF)
    reading = engine.read(render(document_type, person), document_type)
    assert reading.engine == engine.version
    fields = extract_fields(reading, document_type)
    got = {name: field.value for name, field in fields.items()}
    truth = ground_truth(document_type, person)

    for name in KEY_FIELDS[document_type]:
        assert got.get(name) == truth[name], f"{name}: read {got.get(name)!r}, printed {truth[name]!r}"
        assert fields[name].confidence >= 0.5, f"{name} read right but with confidence {fields[name].confidence}"
    # Every other field too (addresses included): clean samples leave no excuse.
    assert got.pop("card_side", None) == SIDE_SHOWN.get(document_type)
    assert got == truth


def test_targeted_pass_rereads_the_number_line(engine: TesseractEngine) -> None:
    person = make_identity(1, as_of=AS_OF)
    reading = engine.read(render(DocumentType.BANK_CARD, person), DocumentType.BANK_CARD)
    names = [ocr_pass.name for ocr_pass in reading.passes]
    assert len(names) == 2 and names[1] == "card_number_digits"
    digits_pass = " ".join(line.text for line in reading.passes[1].lines).replace(" ", "")
    assert digits_pass == person.card_number


def test_small_image_is_upscaled_before_reading(engine: TesseractEngine) -> None:
    person = make_identity(2, as_of=AS_OF)
    image = render(DocumentType.ID_CARD_FRONT, person)
    small = image.resize((image.width * 2 // 3, image.height * 2 // 3))
    fields = extract_fields(engine.read(small, DocumentType.ID_CARD_FRONT), DocumentType.ID_CARD_FRONT)
    assert fields["id_number"].value == person.id_number


@pytest.mark.parametrize("seed", (0, 1))
@pytest.mark.parametrize(("document_type", "field"), [(DocumentType.ID_CARD_FRONT, "id_number"),
                                                      (DocumentType.BANK_CARD, "card_number")])
def test_scanned_numbers_are_still_read(engine: TesseractEngine, document_type: DocumentType, field: str,
                                        seed: int) -> None:
    person = make_identity(seed, as_of=AS_OF)
    image = render(document_type, person, level="scan")  # tilted, blurred, JPEG
    fields = extract_fields(engine.read(image, document_type), document_type)
    assert fields[field].value == ground_truth(document_type, person)[field]


@pytest.mark.parametrize("angle", (-2.0, 1.5))
def test_tilt_is_measured_for_deskewing(angle: float) -> None:
    page = render(DocumentType.ADDRESS_PROOF, make_identity(3, as_of=AS_OF)).convert("L")
    tilted = page.rotate(angle, expand=True, fillcolor=255)
    assert estimate_skew(tilted) == pytest.approx(-angle, abs=0.25)
    assert estimate_skew(page) == 0.0


def test_upside_down_photo_is_turned_and_read(engine: TesseractEngine) -> None:
    person = make_identity(4, as_of=AS_OF)
    photo = render(DocumentType.BANK_CARD, person, level="photo").rotate(180)
    fields = extract_fields(engine.read(photo, DocumentType.BANK_CARD), DocumentType.BANK_CARD)
    assert fields["card_number"].value == person.card_number
