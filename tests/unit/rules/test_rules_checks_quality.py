import pytest

from documents.types import DocumentType as D
from rules.checks.quality import check_duplicates, check_image_size, check_sharpness
from rules.schema import Effect
from rules_facts import (
    CARD, card_number, clean, context, codes, decide, failing_luhn, ruleset, with_doc, with_fields, without_fields,
)

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


# A size or blur finding on a photo whose required fields were all read and agree with the application: a staff
# note (variant fields_read, effect warn), never a request. All read but a name a character off (variant
# near_misreads): staff compare the image (manual review), never a request. Otherwise the merchant is asked.
ROUTING_CASES = [
    pytest.param(lambda f: f, "fields_read", id="all-read-and-agreeing"),
    pytest.param(lambda f: without_fields(f, D.ID_CARD_FRONT, "name"), None, id="a-field-unread"),
    pytest.param(lambda f: with_fields(f, D.ID_CARD_FRONT, name="李海明"), None, id="a-field-disagrees"),
    pytest.param(lambda f: with_fields(f, D.ID_CARD_FRONT, confidence=0.3, name="王昌良"), "fields_read",
                 id="doubtful-but-exactly-the-applications"),
    pytest.param(lambda f: with_fields(f, D.ID_CARD_FRONT, name="主昌良"), "near_misreads", id="a-name-a-character-off"),
    pytest.param(lambda f: without_fields(with_fields(f, D.ID_CARD_FRONT, name="主昌良"), D.ID_CARD_FRONT, "id_number"),
                 None, id="a-name-a-character-off-and-a-field-unread"),
]


@pytest.mark.parametrize("change, variant", ROUTING_CASES)
@pytest.mark.parametrize("finding", [dict(width=480), dict(blur_score=75.0)], ids=["small", "blurry"])
def test_quality_findings_on_a_photo_that_was_read_are_a_staff_note(change, variant, finding):
    facts = with_doc(change(clean()), D.ID_CARD_FRONT, **finding)
    (found,) = (check_image_size if "width" in finding else check_sharpness)(context(facts))
    assert found.variant == variant
    fixable, effect = ruleset().catalogue.codes[found.code].routing(found.variant)
    expected = {"fields_read": (False, Effect.WARN), "near_misreads": (False, Effect.BLOCK), None: (True, Effect.BLOCK)}
    assert (fixable, effect) == expected[variant]
    decision = decide(facts)
    if variant == "fields_read":
        assert decision.outcome == "approved" and [w.code for w in decision.warnings] == [found.code]
        assert "every required field was read" in decision.warnings[0].staff_note
    elif variant == "near_misreads":
        assert decision.outcome == "manual_review"
        assert not any(d.merchant_fixable for d in decision.deficiencies)
        assert "differs from the application by a character" in " ".join(d.staff_note for d in decision.deficiencies)
    else:
        assert decision.outcome == "needs_documents"


def test_a_small_premises_photo_still_asks_the_merchant():
    # Nothing to read on it: the quality gate is the only judge of a storefront photo.
    (found,) = check_image_size(context(with_doc(clean(), D.STOREFRONT_PHOTO, width=300)))
    assert found.variant is None and found.merchant_fixable


@pytest.mark.parametrize("confidence", [0.95, 0.39])
def test_a_small_card_photo_read_whole_a_digit_off_goes_to_staff(confidence):
    """card-yzx835-12 (674 px, minimum 800): all 19 digits read, the last wrong, at 0.39. The merchant is not
    asked for a larger photo of a card staff can read on the image."""
    facts = with_doc(with_fields(clean(), D.BANK_CARD, confidence=confidence, card_number=failing_luhn(CARD)),
                     D.BANK_CARD, width=674)
    (found,) = check_image_size(context(facts))
    assert (found.variant, found.merchant_fixable) == ("near_misreads", False)
    decision = decide(facts)
    assert decision.outcome == "manual_review" and not any(d.merchant_fixable for d in decision.deficiencies)


def test_a_small_card_photo_read_as_another_card_asks_the_merchant():
    other = card_number("6222029999999999")
    (found,) = check_image_size(context(with_doc(with_fields(clean(), D.BANK_CARD, card_number=other),
                                                 D.BANK_CARD, width=674)))
    assert found.variant is None and found.merchant_fixable
