"""A picture surely of another document than its slot's: the merchant is told what it looks like; the good
document it copies is never flagged."""
from __future__ import annotations

from documents.classify import KIND_FIELD
from documents.extract.card_side import SIDE_FIELD
from documents.types import DocumentType as D
from documents.types import ExtractedField
from rules_facts import clean, decide, fields, with_doc

BANK_CARD_PICTURE = "sha-the-bank-card-photo"


def classified(kind: str, confidence: float = 0.95) -> dict[str, ExtractedField]:
    return {KIND_FIELD: ExtractedField(value=kind, confidence=confidence)}


def bank_card_photo_also_sent_as_id_back(confidence: float = 0.95):
    facts = clean()
    facts = with_doc(facts, D.BANK_CARD, sha256=BANK_CARD_PICTURE)
    return with_doc(facts, D.ID_CARD_BACK, sha256=BANK_CARD_PICTURE,
                    fields={**classified("bank_card", confidence),
                            SIDE_FIELD: ExtractedField(value="not_id_card", confidence=confidence)})


def test_bank_card_in_the_id_back_slot_says_it_looks_like_a_bank_card_and_spares_the_bank_card():
    decision = decide(bank_card_photo_also_sent_as_id_back())
    assert [(d.code, d.document_type, d.variant) for d in decision.deficiencies] == [
        ("document_type_mismatch", D.ID_CARD_BACK, "looks_like_bank_card")]
    (item,) = decision.deficiencies
    assert "这看起来是银行卡照片，请上传身份证国徽面" in item.message_zh
    assert "looks like a photo of a bank card" in item.message_en and item.merchant_fixable


def test_an_unsure_classification_asks_nothing_specific():
    decision = decide(with_doc(clean(), D.BANK_CARD,
                               fields={**fields(card_number=clean().documents[D.BANK_CARD].fields["card_number"].value),
                                       **classified("business_license", confidence=0.3)}))
    assert decision.outcome == "approved", decision.deficiencies


def test_a_licence_in_the_bank_card_slot_is_named():
    facts = with_doc(clean(), D.BANK_CARD, fields=classified("business_license"))
    decision = decide(facts)
    item = next(d for d in decision.deficiencies if d.document_type == D.BANK_CARD)
    assert (item.code, item.variant) == ("document_type_mismatch", "looks_like_business_license")
    assert "营业执照" in item.message_zh and "结算银行卡" in item.message_zh
    # the card number it did not read is explained by the wrong document, not asked for separately
    assert [d.code for d in decision.deficiencies if d.document_type == D.BANK_CARD] == ["document_type_mismatch"]


def test_no_id_card_at_all_in_an_id_slot_keeps_the_plain_wording():
    facts = with_doc(clean(), D.ID_CARD_BACK, fields={SIDE_FIELD: ExtractedField(value="not_id_card", confidence=0.9)})
    item = next(d for d in decide(facts).deficiencies if d.document_type == D.ID_CARD_BACK)
    assert (item.code, item.variant) == ("document_type_mismatch", None)
    assert "看起来不是身份证国徽面" in item.message_zh


def test_same_picture_in_two_slots_with_no_verdict_still_flags_the_later_one():
    facts = with_doc(clean(), D.ID_CARD_BACK, sha256="same")
    facts = with_doc(facts, D.BANK_CARD, sha256="same")
    flagged = [(d.code, d.document_type) for d in decide(facts).deficiencies if d.code == "duplicate_document"]
    assert flagged == [("duplicate_document", D.BANK_CARD)]


