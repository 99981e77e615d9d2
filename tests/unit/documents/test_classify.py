"""What an upload is, from real files: generated documents read by the real OCR engine, a solid-colour photo,
a blank PDF page; and the word cues on hand-built readings where OCR noise is the point."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from documents.classify import KIND_FIELD, Kind, classify, fits_slot
from documents.fields import extract_fields
from documents.intake import IntakeCode, IntakeLimits, IntakeRefused, inspect_upload
from documents.samples import variants
from documents.samples.applications import encode_jpeg
from documents.samples.identity import make_identity
from documents.samples.render import render
from documents.types import DocumentType as D
from documents.types import OcrLine, OcrPass, OcrReading
from tests.support.pdf_bytes import blank_pdf

LIMITS = IntakeLimits()
IDENTITY = make_identity(108)


def reading(*rows: tuple[str, float]) -> OcrReading:
    return OcrReading(engine="test", pipeline_version="test",
                      passes=[OcrPass(name="page", lines=[OcrLine(text=t, confidence=c) for t, c in rows])])


def solid_jpeg(colour: tuple[int, int, int], size: tuple[int, int] = (1080, 1920)) -> bytes:
    return encode_jpeg(Image.new("RGB", size, colour))


# --- blank: intake refuses it with its own reason, never "blurry" ------------------------------------------

@pytest.mark.parametrize("data", [
    pytest.param(solid_jpeg((40, 70, 160)), id="solid-blue-phone-photo"),
    pytest.param(solid_jpeg((255, 255, 255), (1600, 1000)), id="white"),
    pytest.param(blank_pdf(), id="blank-pdf-page"),
])
def test_one_colour_upload_is_refused_as_blank(data):
    with pytest.raises(IntakeRefused) as refused:
        inspect_upload(data, D.ID_CARD_BACK, LIMITS)
    assert refused.value.code == IntakeCode.BLANK == "document_blank"
    assert "blank" in str(refused.value) and "blur" not in str(refused.value)


def test_solid_colour_image_classifies_as_blank_surely():
    verdict = classify(image=Image.open(io.BytesIO(solid_jpeg((128, 128, 128)))))
    assert (verdict.kind, verdict.sure) == (Kind.BLANK, True)


@pytest.mark.parametrize("image", [
    pytest.param(variants.blurred(render(D.ID_CARD_BACK, IDENTITY, level="scan")), id="blurred-id-back-scan"),
    pytest.param(render(D.ADDRESS_PROOF, IDENTITY, level="scan"), id="mostly-white-bill"),
])
def test_a_document_however_poor_is_not_blank(image):
    inspection = inspect_upload(encode_jpeg(image), D.ID_CARD_BACK, LIMITS)  # not refused
    assert classify(image=inspection.image).kind != Kind.BLANK


def test_premises_photo_is_told_by_its_pixels_but_never_surely():
    verdict = classify(image=render(D.STOREFRONT_PHOTO, IDENTITY, level="photo"))
    assert (verdict.kind, verdict.sure) == (Kind.PREMISES_PHOTO, False)
    assert fits_slot(verdict.kind, D.STOREFRONT_PHOTO) and fits_slot(verdict.kind, D.INTERIOR_PHOTO)


# --- documents: generated, photographed, read by the real engine ------------------------------------------

@pytest.fixture(scope="module")
def engine():
    pytest.importorskip("rapidocr_onnxruntime")
    from documents.ocr import open_ocr_engine

    return open_ocr_engine("rapidocr")


KINDS_BY_TYPE = [
    (D.ID_CARD_FRONT, Kind.ID_CARD_FRONT), (D.ID_CARD_BACK, Kind.ID_CARD_BACK), (D.BANK_CARD, Kind.BANK_CARD),
    (D.BUSINESS_LICENSE, Kind.BUSINESS_LICENSE), (D.ACCOUNT_PERMIT, Kind.ACCOUNT_PERMIT),
    (D.ADDRESS_PROOF, Kind.ADDRESS_PROOF),
]


@pytest.mark.parametrize("document_type, kind", KINDS_BY_TYPE, ids=[k for _, k in KINDS_BY_TYPE])
def test_each_document_is_recognised_from_a_photo(engine, document_type, kind):
    image = inspect_upload(encode_jpeg(render(document_type, IDENTITY, level="photo")), document_type, LIMITS).image
    verdict = classify(image=image, reading=engine.read(image, document_type))
    assert (verdict.kind, verdict.sure) == (kind, True), verdict.marks
    assert verdict.marks[str(kind)]  # the cues it went by are named


def test_bank_card_in_the_id_back_slot_is_classified_before_its_fields_are_read(engine):
    image = render(D.BANK_CARD, IDENTITY, level="photo")
    fields = extract_fields(engine.read(image, D.ID_CARD_BACK), D.ID_CARD_BACK)
    assert fields[KIND_FIELD].value == "bank_card"
    assert not {"issuing_authority", "valid_from", "valid_until"} & set(fields)  # nothing read as an ID back


# --- the word cues, on readings with chi_sim's spaces and OCR noise ----------------------------------------

@pytest.mark.parametrize("rows, kind", [
    pytest.param([("营 业 执 照", 0.9), ("统 一 社 会 信 用 代 码 92440781MA4W1ABC1C", 0.8)], Kind.BUSINESS_LICENSE,
                 id="licence-chi-sim-spaces"),
    pytest.param([("开 户 许 可 证", 0.9), ("核 准 号 J5810001234501", 0.8), ("基本存款账户", 0.7)],
                 Kind.ACCOUNT_PERMIT, id="permit"),
    pytest.param([("房屋租赁合同", 0.9), ("出租方（甲方）：李先生", 0.9),
                  ("根据《中华人民共和国民法典》", 0.9)], Kind.ADDRESS_PROOF, id="lease-citing-the-civil-code"),
    pytest.param([("国网 电费缴费通知单", 0.9), ("用电地址 台山市北陡镇", 0.8)], Kind.ADDRESS_PROOF, id="electricity-bill"),
    pytest.param([("中国工商银行 借记卡", 0.9), ("6222 0212 3456 7890 128", 0.9)], Kind.BANK_CARD, id="card-number-grouped"),
])
def test_word_cues(rows, kind):
    verdict = classify(reading=reading(*rows))
    assert (verdict.kind, verdict.sure) == (kind, True), verdict.marks


def test_a_gansu_id_number_is_not_a_card_number():
    gansu = "620102199001011057"  # starts with 62 like a UnionPay card, and passes Luhn
    verdict = classify(reading=reading((gansu, 0.9), ("公民身份号码", 0.9)))
    assert verdict.kind == Kind.ID_CARD_FRONT and "card_number" not in verdict.marks.get("bank_card", ())


@pytest.mark.parametrize("rows", [
    pytest.param([("有效期限 VALID THRU 12/29", 0.9)], id="a-bank-cards-validity-label-alone"),
    pytest.param([("6222 0212 3456 7890 128", 0.9)], id="a-card-number-alone"),
    pytest.param([("营业执照", 0.5), ("统一社会信用代码", 0.5)], id="faint-lines"),
])
def test_one_cue_or_faint_cues_are_never_sure(rows):
    assert not classify(reading=reading(*rows)).sure


def test_competing_cues_are_never_sure():
    verdict = classify(reading=reading(("营业执照", 0.9), ("银联", 0.9)))
    assert not verdict.sure


def test_plenty_of_text_and_no_document_words_is_other_but_not_sure():
    verdict = classify(reading=reading(("欢迎光临 昌良小吃店 营业时间 早七点至晚十点", 0.9)))
    assert (verdict.kind, verdict.sure) == (Kind.OTHER, False)
