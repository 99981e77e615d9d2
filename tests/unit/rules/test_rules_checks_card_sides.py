"""The ID card's two slots against what each picture shows: every combination, decided end to end."""
from __future__ import annotations

import pytest

from documents.types import DocumentType as D
from documents.types import ExtractedField
from rules.model import DocumentFacts
from rules_facts import APPLICANT_ID, LEGAL_NAME, clean, decide, ruleset, without_docs

FRONT, BACK = D.ID_CARD_FRONT, D.ID_CARD_BACK
FRONT_FIELDS = {"name": LEGAL_NAME, "sex": "女", "birth_date": "1975-06-03", "id_number": APPLICANT_ID}
BACK_FIELDS = {"issuing_authority": "台山市公安局", "valid_from": "2015-08-01", "valid_until": "2035-08-01"}


def picture(shows: str, copy: int = 1) -> DocumentFacts:
    """What extraction gives for a picture: the fields of the side it shows, and that side."""
    values = {"front": FRONT_FIELDS, "back": BACK_FIELDS}.get(shows, {})
    fields = {name: ExtractedField(value=value, confidence=0.95) for name, value in values.items()}
    if shows != "unknown":
        fields["card_side"] = ExtractedField(value=shows, confidence=0.9)
    return DocumentFacts(document_type=FRONT, sha256=f"sha-{shows}-{copy}", fields=fields, width=2000, height=1300,
                         blur_score=3.0 if shows == "unknown" else 400.0)  # unknown: too blurred to tell


def facts_with(front: str | None, back: str | None):
    facts = without_docs(clean(), FRONT, BACK)
    documents = dict(facts.documents)
    if front:
        documents[FRONT] = picture(front).model_copy(update={"document_type": FRONT})
    if back:
        documents[BACK] = picture(back, copy=2).model_copy(update={"document_type": BACK})
    return facts.model_copy(update={"documents": documents})


# front slot shows, back slot shows -> outcome, (code, document, variant) of the ID findings, warnings
CASES = [
    ("front", "back", "approved", [], []),
    # both sides sent, in each other's slot: used as they are, nobody is asked for anything
    ("back", "front", "approved", [], [("id_card_sides_swapped", FRONT, None)]),
    ("front", "front", "needs_documents", [("document_missing_back", BACK, "front_twice")], []),
    ("back", "back", "needs_documents", [("document_missing", FRONT, "back_twice")], []),
    ("front", None, "needs_documents", [("document_missing_back", BACK, None)], []),
    ("front", "not_id_card", "needs_documents", [("document_type_mismatch", BACK, None)], []),
    ("front", "unknown", "needs_documents", [("document_blurry", BACK, None)], []),
    # the back in the front slot, no front anywhere: the front goes there, the back into its own slot
    # (a new upload replaces the slot's picture, so the back picture cannot stay in the front slot)
    ("back", None, "needs_documents",
     [("document_missing", FRONT, "back_in_wrong_slot"), ("document_missing", BACK, None)], []),
    ("back", "not_id_card", "needs_documents",
     [("document_missing", FRONT, "back_in_wrong_slot"), ("document_type_mismatch", BACK, None)], []),
    ("back", "unknown", "needs_documents",
     [("document_missing", FRONT, "back_in_wrong_slot"), ("document_blurry", BACK, None)], []),
    (None, "front", "needs_documents",
     [("document_missing", FRONT, None), ("document_missing_back", BACK, "front_in_wrong_slot")], []),
    ("not_id_card", "front", "needs_documents",
     [("document_type_mismatch", FRONT, None), ("document_missing_back", BACK, "front_in_wrong_slot")], []),
    ("unknown", "front", "needs_documents",
     [("document_blurry", FRONT, None), ("document_missing_back", BACK, "front_in_wrong_slot")], []),
    (None, "back", "needs_documents", [("document_missing", FRONT, None)], []),
    ("not_id_card", "back", "needs_documents", [("document_type_mismatch", FRONT, None)], []),
    # no ID card in the front slot: nothing to say "we have the front" about
    ("not_id_card", None, "needs_documents",
     [("document_type_mismatch", FRONT, None), ("document_missing", BACK, None)], []),
    ("not_id_card", "not_id_card", "needs_documents",
     [("document_type_mismatch", FRONT, None), ("document_type_mismatch", BACK, None)], []),
    # sides not told apart: each slot is judged as what it was uploaded as (no card_side, as before)
    ("unknown", None, "needs_documents", [("document_blurry", FRONT, None), ("document_missing_back", BACK, None)],
     []),
    ("unknown", "back", "needs_documents", [("document_blurry", FRONT, None)], []),
    (None, None, "needs_documents", [("document_missing", FRONT, None), ("document_missing", BACK, None)], []),
]


def id_findings(items) -> list[tuple]:
    return [(d.code, d.document_type, d.variant) for d in items if d.document_type in (FRONT, BACK)]


@pytest.mark.parametrize("front, back, outcome, expected, warnings", CASES,
                         ids=[f"{c[0]}-in-front-{c[1]}-in-back" for c in CASES])
def test_id_card_slots(front, back, outcome, expected, warnings):
    decision = decide(facts_with(front, back))
    assert id_findings(decision.deficiencies) == expected
    assert id_findings(decision.warnings) == warnings
    assert decision.outcome == outcome
    assert all(d.merchant_fixable for d in decision.deficiencies)


def test_every_combination_of_slots_is_decided_here():
    seen = {(c[0], c[1]) for c in CASES}
    shows = ("front", "back", "not_id_card", "unknown", None)
    missing = {(f, b) for f in shows for b in shows} - seen
    # The remaining combinations repeat a rule above for the other slot.
    assert missing == {("unknown", "not_id_card"), ("unknown", "unknown"), ("not_id_card", "unknown"),
                       (None, "not_id_card"), (None, "unknown")}


def test_swapped_sides_are_checked_as_the_sides_they_show():
    facts = facts_with("back", "front")
    expired = facts.documents[FRONT].fields | {"valid_until": ExtractedField(value="2025-12-31", confidence=0.95)}
    documents = {**facts.documents, FRONT: facts.documents[FRONT].model_copy(update={"fields": expired})}
    decision = decide(facts.model_copy(update={"documents": documents}))
    # The picture uploaded as the front is the back, and it has expired.
    assert [(d.code, d.document_type) for d in decision.deficiencies] == [("document_expired", BACK)]


def test_the_same_picture_in_both_slots_asks_for_the_other_side_not_for_a_different_image():
    for shows, expected in (("front", ("document_missing_back", BACK, "front_twice")),
                            ("back", ("document_missing", FRONT, "back_twice"))):
        facts = facts_with(shows, shows)
        documents = {**facts.documents, BACK: facts.documents[BACK].model_copy(update={"sha256": "sha-same"}),
                     FRONT: facts.documents[FRONT].model_copy(update={"sha256": "sha-same"})}
        decision = decide(facts.model_copy(update={"documents": documents}))
        assert id_findings(decision.deficiencies) == [expected]


def test_a_side_read_without_confidence_is_not_acted_on():
    facts = facts_with("front", "front")
    back = facts.documents[BACK]
    unsure = back.fields | {"card_side": ExtractedField(value="front", confidence=0.3)}
    documents = {**facts.documents, BACK: back.model_copy(update={"fields": unsure})}
    decision = decide(facts.model_copy(update={"documents": documents}))
    # Judged as the back it was uploaded as: its validity cannot be read.
    assert [(d.code, d.document_type) for d in decision.deficiencies] == [("document_unreadable", BACK)]


@pytest.mark.parametrize("front, back, words_zh, words_en", [
    ("front", "front", ["两次", "人像面", "国徽面", "签发机关", "有效期限"], ["front (人像面) of your ID card twice", "back (国徽面)"]),
    ("front", None, ["已收到", "国徽面", "签发机关", "有效期限"], ["We have the front", "back (国徽面)"]),
    ("back", "back", ["两次", "国徽面", "人像面"], ["back (国徽面) of your ID card twice", "front (人像面)"]),
    (None, "front", ["国徽面处", "人像面"], ["shows the front (人像面)"]),
])
def test_messages_say_which_side_came_and_which_is_wanted(front, back, words_zh, words_en):
    (item,) = [d for d in decide(facts_with(front, back)).deficiencies if d.variant or d.code.endswith("_back")]
    assert all(word in item.message_zh for word in words_zh), item.message_zh
    assert all(word in item.message_en for word in words_en), item.message_en


def test_every_variant_a_check_names_is_worded_in_the_catalogue():
    catalogue = ruleset().catalogue
    for front, back, *_ in CASES:
        for item in decide(facts_with(front, back)).deficiencies:
            assert item.variant is None or item.variant in catalogue.codes[item.code].variants, item
