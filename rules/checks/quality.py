"""Whether each photo is usable at all: big enough, sharp enough, and not the same image twice.

A size or blur finding on a photo whose fields were all read and agree with the application is variant
`fields_read`: the photo did its job, and the catalogue routes it (a staff note, not a request). When every
field was read and the only disagreements are misreads the photo explains (a name a character off, 主立新 for
王立新 on a 581 px licence; a card number a digit off), it is variant `near_misreads`: doubt, not certainty, so
staff compare the image; the merchant is not asked.
"""
from __future__ import annotations

from documents.types import DocumentType
from rules.checks.agreement import fields_read_and_agree
from rules.checks.card_sides import same_picture_explained
from rules.checks.context import CheckContext
from rules.checks.document_kind import in_wrong_slot
from rules.model import Deficiency


def check_image_size(ctx: CheckContext) -> list[Deficiency]:
    found: list[Deficiency] = []
    minimums = ctx.thresholds.min_image_width
    for document_type, document in ctx.facts.documents.items():
        min_width = minimums.get(document_type)
        if document.width is None or min_width is None or document.width >= min_width:
            continue
        found.append(ctx.deficiency("document_too_small", document_type, variant=_read_anyway(ctx, document_type),
                                    evidence={"width": document.width, "min_width": min_width}))
    return found


def check_sharpness(ctx: CheckContext) -> list[Deficiency]:
    found: list[Deficiency] = []
    minimum = ctx.thresholds.min_blur_score
    for document_type, document in ctx.facts.documents.items():
        if document.blur_score is None or document.blur_score >= minimum:
            continue
        found.append(ctx.deficiency("document_blurry", document_type, variant=_read_anyway(ctx, document_type),
                                    evidence={"blur_score": round(document.blur_score, 1),
                                              "min_blur_score": minimum}))
    return found


def _read_anyway(ctx: CheckContext, document_type: DocumentType) -> str | None:
    if fields_read_and_agree(ctx, document_type):
        return "fields_read"
    if fields_read_and_agree(ctx, document_type, near_misreads=True):
        return "near_misreads"
    return None


def check_duplicates(ctx: CheckContext) -> list[Deficiency]:
    """The same file under several document types: the slots other than the one it belongs in are the ones to
    re-upload. It belongs in the first slot (in document order) where it is not surely another document; failing
    that, in the first. So a bank card photo sent as the bank card and as the ID back flags the ID back (as the
    wrong document), never the good bank card."""
    slots_by_picture: dict[str, list[DocumentType]] = {}
    for document_type in DocumentType:
        document = ctx.document(document_type)
        if document is not None:
            slots_by_picture.setdefault(document.sha256, []).append(document_type)
    found: list[Deficiency] = []
    for sha256, slots in slots_by_picture.items():
        if len(slots) < 2:
            continue
        original = next((slot for slot in slots if not in_wrong_slot(ctx, slot)), slots[0])
        for document_type in slots:
            if document_type != original and not same_picture_explained(ctx, document_type, original):
                found.append(ctx.deficiency("duplicate_document", document_type,
                                            evidence={"same_as": original, "sha256": sha256}))
    return found
