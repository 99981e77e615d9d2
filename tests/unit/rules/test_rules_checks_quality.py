import pytest

from documents.types import DocumentType as D
from rules.checks.quality import check_duplicates, check_image_size, check_sharpness
from rules_facts import clean, codes, context, with_doc

SIZE_CASES = [
    pytest.param(D.ID_CARD_FRONT, 1000, [], id="id-at-minimum"),
    pytest.param(D.ID_CARD_FRONT, 999, ["document_too_small"], id="id-below"),
    pytest.param(D.STOREFRONT_PHOTO, 900, [], id="photo-smaller-minimum"),
    pytest.param(D.STOREFRONT_PHOTO, 640, ["document_too_small"], id="photo-below"),
    pytest.param(D.BANK_CARD, None, [], id="width-unknown"),
]


@pytest.mark.parametrize("document_type, width, expected", SIZE_CASES)
def test_image_size(document_type, width, expected):
    found = check_image_size(context(with_doc(clean(), document_type, width=width)))
    assert codes(found) == expected
    assert all(d.document_type == document_type for d in found)


def test_too_small_message_gives_both_widths():
    (found,) = check_image_size(context(with_doc(clean(), D.ID_CARD_FRONT, width=720)))
    assert "720" in found.message_zh and "1000" in found.message_en


BLUR_CASES = [
    pytest.param(100.0, [], id="at-minimum"),
    pytest.param(99.9, ["document_blurry"], id="below"),
    pytest.param(None, [], id="unknown"),
]


@pytest.mark.parametrize("blur_score, expected", BLUR_CASES)
def test_sharpness(blur_score, expected):
    found = check_sharpness(context(with_doc(clean(), D.ID_CARD_BACK, blur_score=blur_score)))
    assert codes(found) == expected


def test_same_image_for_front_and_back_flags_the_back():
    facts = with_doc(clean(), D.ID_CARD_BACK, sha256="sha-id_card_front")
    (found,) = check_duplicates(context(facts))
    assert (found.code, found.document_type) == ("duplicate_document", D.ID_CARD_BACK)
    assert found.evidence["same_as"] == "id_card_front"
    assert "身份证人像面" in found.message_zh and "身份证国徽面" in found.message_zh


def test_three_copies_flag_two():
    facts = with_doc(clean(), D.ID_CARD_BACK, sha256="same")
    facts = with_doc(with_doc(facts, D.STOREFRONT_PHOTO, sha256="same"), D.INTERIOR_PHOTO, sha256="same")
    found = check_duplicates(context(facts))
    assert [(d.document_type, d.evidence["same_as"]) for d in found] == [
        (D.STOREFRONT_PHOTO, "id_card_back"), (D.INTERIOR_PHOTO, "id_card_back"),
    ]
