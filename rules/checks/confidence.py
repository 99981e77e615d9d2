"""What OCR could read: required fields that are missing or garbled, and those read with too little confidence."""
from __future__ import annotations

from documents.types import DocumentType
from rules.checks.agreement import agrees_with_application, passed_quality_gate, readable, shown
from rules.checks.context import CheckContext
from rules.model import Deficiency


def check_required_fields_read(ctx: CheckContext) -> list[Deficiency]:
    """A field missing from a photo that failed the quality gate: the size or blur finding asks for a better
    photo. From a photo that passed it (variant `sharp_image`): a reading problem, routed by the catalogue,
    with what was read beside what was not."""
    found: list[Deficiency] = []
    for document_type in DocumentType:
        document = ctx.document(document_type)
        required = ctx.ruleset.policy.required_fields.get(document_type, ())
        if document is None or not required:
            continue
        unread = [name for name in required if not readable(name, document.fields.get(name))]
        if not unread:
            continue
        partial = {name: shown(name, document.fields[name].value) for name in required if name not in unread}
        sharp = passed_quality_gate(ctx, document)
        found.append(ctx.deficiency(
            "document_unreadable", document_type, unread[0], variant="sharp_image" if sharp else None,
            evidence={"fields": unread, "read": partial, "width": document.width,
                      "blur_score": None if document.blur_score is None else round(document.blur_score, 1)},
            partial_reading="; ".join(f"{name} “{value}”" for name, value in partial.items()) or "nothing",
        ))
    return found


def check_field_confidence(ctx: CheckContext) -> list[Deficiency]:
    """A doubtful reading goes to staff, unless it says exactly what the application says: OCR does not
    invent the applicant's own ID number, name or card digits, so the application confirms it."""
    found: list[Deficiency] = []
    threshold = ctx.thresholds.min_field_confidence
    for document_type in DocumentType:
        document = ctx.document(document_type)
        if document is None:
            continue
        for name in ctx.ruleset.policy.required_fields.get(document_type, ()):
            field = document.fields.get(name)
            if field is None or not readable(name, field) or field.confidence >= threshold:
                continue
            if agrees_with_application(ctx, document_type, name, field.value):
                continue
            found.append(ctx.deficiency("ocr_low_confidence", document_type, name,
                                        evidence={"confidence": field.confidence, "threshold": threshold,
                                                  "value": shown(name, field.value)}))
    return found
