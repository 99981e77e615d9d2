"""Whether each picture is the document its slot asks for.

Extraction records what a picture surely is when that is not its slot's document (`document_kind`, from
documents.classify; absent when the classifier is not sure, or the picture fits). Such a picture asks the
merchant for the right one, saying what it looks like ("这看起来是银行卡照片，请上传身份证国徽面"). An ID card side in the other
side's slot is rules.checks.card_sides' business; an ID slot holding legible text with no ID card marks at
all, and no recognisable other document, gets the plain wording. Anything less than sure asks nothing.
"""
from __future__ import annotations

from documents.classify import KIND_FIELD, Kind, fits_slot
from documents.types import DocumentType
from rules.checks.card_sides import BACK, FRONT, NOT_ID_CARD, shown_side
from rules.checks.context import CheckContext
from rules.model import Deficiency, DocumentFacts

ID_SIDES = frozenset({Kind.ID_CARD_FRONT, Kind.ID_CARD_BACK})


def shown_kind(document: DocumentFacts | None, min_confidence: float) -> Kind | None:
    """What the picture surely is, when the classifier said so with enough confidence, else None."""
    found = document.fields.get(KIND_FIELD) if document else None
    if found is None or found.confidence < min_confidence or found.value not in set(Kind):
        return None
    return Kind(found.value)


def in_wrong_slot(ctx: CheckContext, document_type: DocumentType) -> bool:
    """The picture in this slot is surely not the slot's document."""
    document, threshold = ctx.document(document_type), ctx.thresholds.min_field_confidence
    kind = shown_kind(document, threshold)
    if kind is not None and not fits_slot(kind, document_type):
        return not (document_type in (FRONT, BACK) and kind in ID_SIDES)
    return document_type in (FRONT, BACK) and shown_side(document, threshold) == NOT_ID_CARD


def check_document_kind(ctx: CheckContext) -> list[Deficiency]:
    found: list[Deficiency] = []
    for document_type in DocumentType:
        document = ctx.document(document_type)
        if document is None or not in_wrong_slot(ctx, document_type):
            continue
        kind = shown_kind(document, ctx.thresholds.min_field_confidence)
        if kind is not None and not (document_type in (FRONT, BACK) and kind in ID_SIDES):
            found.append(ctx.deficiency("document_type_mismatch", document_type, variant=f"looks_like_{kind}",
                                        evidence={"shows": str(kind)}))
        else:
            found.append(ctx.deficiency("document_type_mismatch", document_type, evidence={"shows": NOT_ID_CARD}))
    return found
