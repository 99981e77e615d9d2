"""The two sides of the ID card: a swapped pair used as it is, and a side that is really missing.

Extraction says which side a picture shows (`card_side`: front, back or not_id_card; absent when
it cannot tell). When the front slot shows the back and the back slot the front, `place_card_sides`
swaps them before any check runs, so the pair is checked as it is and the merchant is asked for
nothing: both sides were sent. Any other picture stays in its slot, because a new upload replaces
the slot's picture: asking for the front in a slot whose picture we use as the back would throw
the back away. `check_card_sides` then tells the merchant which side goes where; a picture that is no ID
card at all is rules.checks.document_kind's.
"""
from __future__ import annotations

from documents.extract.card_side import SIDE_FIELD, CardSide
from documents.types import DocumentType
from rules.checks.context import CheckContext
from rules.model import ApplicationFacts, Deficiency, DocumentFacts

FRONT = DocumentType.ID_CARD_FRONT
BACK = DocumentType.ID_CARD_BACK
SHOWS = {FRONT: CardSide.FRONT, BACK: CardSide.BACK}
NOT_ID_CARD = CardSide.NOT_ID_CARD


def shown_side(document: DocumentFacts | None, min_confidence: float) -> CardSide | None:
    """What the picture shows when extraction could tell with enough confidence, else None."""
    side = document.fields.get(SIDE_FIELD) if document else None
    if side is None or side.confidence < min_confidence or side.value not in set(CardSide):
        return None
    return CardSide(side.value)


def place_card_sides(facts: ApplicationFacts, min_confidence: float) -> ApplicationFacts:
    front, back = facts.documents.get(FRONT), facts.documents.get(BACK)
    if front is None or back is None:
        return facts
    if (shown_side(front, min_confidence), shown_side(back, min_confidence)) != (SHOWS[BACK], SHOWS[FRONT]):
        return facts
    documents = {**facts.documents,
                 FRONT: back.model_copy(update={"document_type": FRONT, "uploaded_as": BACK}),
                 BACK: front.model_copy(update={"document_type": BACK, "uploaded_as": FRONT})}
    return facts.model_copy(update={"documents": documents})


def check_card_sides(ctx: CheckContext) -> list[Deficiency]:
    """After placement: a slot showing the other side (that side sent twice, or sent in the wrong
    slot). (A slot with no picture is `document_missing`.)"""
    threshold = ctx.thresholds.min_field_confidence
    shows = {slot: shown_side(ctx.document(slot), threshold) for slot in (FRONT, BACK)}
    found: list[Deficiency] = []
    if ctx.document(FRONT) is not None and ctx.document(FRONT).uploaded_as == BACK:
        found.append(ctx.deficiency("id_card_sides_swapped", FRONT))
    for slot, other in ((FRONT, BACK), (BACK, FRONT)):
        # (A picture that is no ID card at all: rules.checks.document_kind says what it is instead.)
        if shows[slot] == SHOWS[other]:
            variant = "twice" if shows[other] == SHOWS[other] else "in_wrong_slot"
            code = "document_missing_back" if slot == BACK else "document_missing"
            found.append(ctx.deficiency(code, slot, variant=f"{SHOWS[other]}_{variant}",
                                        evidence={"alternatives": [slot], "shows": SHOWS[other]}))
    return found


def same_picture_explained(ctx: CheckContext, document_type: DocumentType, original: DocumentType) -> bool:
    """One picture in both ID slots shows one side: `check_card_sides` asks for the other side
    precisely, where a duplicate finding would ask again for the slot that holds the good side."""
    if {document_type, original} != {FRONT, BACK}:
        return False
    return shown_side(ctx.document(document_type), ctx.thresholds.min_field_confidence) in SHOWS.values()
