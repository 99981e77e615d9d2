"""The real RapidOCR engine (onnxruntime, models from the wheel) reads generated documents, also turned photos."""
from __future__ import annotations

from datetime import date

import pytest
from PIL import Image

from documents.fields import extract_fields
from documents.ocr import OcrEngine, TesseractEngine, open_ocr_engine
from documents.samples.identity import make_identity
from documents.samples.render import render
from documents.samples.truth import ground_truth
from documents.types import OCR_DOCUMENT_TYPES, DocumentType
from onboarding.bootstrap import Services
from onboarding.settings import Settings

pytest.importorskip("rapidocr_onnxruntime", reason="the rapidocr extra is not installed")

AS_OF = date(2026, 1, 15)


@pytest.fixture(scope="module")
def engine() -> OcrEngine:
    return open_ocr_engine("rapidocr")


def test_engine_reports_its_versions(engine: OcrEngine) -> None:
    assert isinstance(engine, OcrEngine)
    assert engine.version == "rapidocr 1.4.4"
    assert engine.pipeline_version.startswith("rapid-")


def test_settings_choose_the_engine() -> None:
    assert Services(Settings()).ocr.version.startswith("rapidocr ")
    assert isinstance(Services(Settings(ocr_engine="tesseract")).ocr, TesseractEngine)


@pytest.mark.parametrize("document_type", sorted(OCR_DOCUMENT_TYPES))
def test_clean_sample_is_read_exactly(engine: OcrEngine, document_type: DocumentType) -> None:
    person = make_identity(1, as_of=AS_OF)  # a sole trader: licence letter-spaced labels, a lease
    reading = engine.read(render(document_type, person), document_type)
    fields = extract_fields(reading, document_type)
    truth = ground_truth(document_type, person)  # an ID card also says which side it shows (card_side)
    assert {name: field.value for name, field in fields.items() if name in truth} == truth
    assert min(fields[name].confidence for name in truth) >= 0.6


@pytest.mark.parametrize("turn", (Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180))
def test_photo_turned_on_its_side_or_upside_down_is_read(engine: OcrEngine, turn: Image.Transpose) -> None:
    person = make_identity(4, as_of=AS_OF)
    photo = render(DocumentType.ID_CARD_FRONT, person, level="photo").transpose(turn)
    fields = extract_fields(engine.read(photo, DocumentType.ID_CARD_FRONT), DocumentType.ID_CARD_FRONT)
    truth = ground_truth(DocumentType.ID_CARD_FRONT, person)
    assert (fields["id_number"].value, fields["name"].value) == (truth["id_number"], truth["name"])
