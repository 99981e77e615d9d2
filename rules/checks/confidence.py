"""What OCR could read: required fields that are missing or garbled, and those read with too little confidence."""
from __future__ import annotations

from documents.types import DocumentType, ExtractedField
from rules.checks.context import CheckContext
from rules.model import Deficiency
from rules.text import compact_identifier, is_long_term, mask_identifier, parse_document_date

# Fields whose value must parse as a date to be of any use; a garbled date is as unreadable as a blank one.
DATE_FIELDS = frozenset({"birth_date", "valid_from", "valid_until", "issue_date"})
LONG_TERM_ALLOWED = frozenset({"valid_until"})
# Decisions are shown to staff and stored; whole ID and card numbers stay in the extracted fields only.
MASKED_FIELDS = frozenset({"id_number", "card_number"})


def check_required_fields_read(ctx: CheckContext) -> list[Deficiency]:
    found: list[Deficiency] = []
    for document_type in DocumentType:
        document = ctx.document(document_type)
        required = ctx.ruleset.policy.required_fields.get(document_type, ())
        if document is None or not required:
            continue
        unread = [name for name in required if not _readable(name, document.fields.get(name))]
        if unread:
            found.append(ctx.deficiency("document_unreadable", document_type, unread[0],
                                        evidence={"fields": unread}))
    return found


def check_field_confidence(ctx: CheckContext) -> list[Deficiency]:
    found: list[Deficiency] = []
    threshold = ctx.thresholds.min_field_confidence
    for document_type in DocumentType:
        document = ctx.document(document_type)
        if document is None:
            continue
        for name in ctx.ruleset.policy.required_fields.get(document_type, ()):
            field = document.fields.get(name)
            if field is None or not _readable(name, field) or field.confidence >= threshold:
                continue
            found.append(ctx.deficiency("ocr_low_confidence", document_type, name,
                                        evidence={"confidence": field.confidence, "threshold": threshold,
                                                  "value": _shown(name, field.value)}))
    return found


def _shown(name: str, value: str | None) -> str | None:
    return mask_identifier(compact_identifier(value)) if value and name in MASKED_FIELDS else value


def _readable(name: str, field: ExtractedField | None) -> bool:
    if field is None or field.value is None or not field.value.strip():
        return False
    if name in DATE_FIELDS:
        return parse_document_date(field.value) is not None or (name in LONG_TERM_ALLOWED
                                                                 and is_long_term(field.value))
    return True
