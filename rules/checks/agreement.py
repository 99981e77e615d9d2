"""Whether what OCR read from a document agrees with the application, and whether its image passed the gate.

These answer who must act on a finding (issue 15): a photo whose fields were all read and agree with the
application needs nothing from the merchant, whatever its size or blur score; a field that could not be read
from a photo that passed the quality gate is a reading problem, for staff, not the merchant's.
"""
from __future__ import annotations

from documents.types import DocumentType, ExtractedField
from rules.checks.address import address_match_score
from rules.checks.alternatives import name_reads_as, read_as
from rules.checks.context import CheckContext
from rules.checks.identity import as_18_digits, names_near
from rules.model import DocumentFacts
from rules.text import compact_identifier, digits_in_order, digits_only, is_long_term, mask_identifier, \
    parse_document_date

D = DocumentType
# Fields whose value must parse as a date to be of any use; a garbled date is as unreadable as a blank one.
DATE_FIELDS = frozenset({"birth_date", "valid_from", "valid_until", "issue_date"})
LONG_TERM_ALLOWED = frozenset({"valid_until"})
# Decisions are shown to staff and stored; whole ID and card numbers stay in the extracted fields only.
MASKED_FIELDS = frozenset({"id_number", "card_number"})


def readable(name: str, field: ExtractedField | None) -> bool:
    if field is None or field.value is None or not field.value.strip():
        return False
    if name in DATE_FIELDS:
        return parse_document_date(field.value) is not None or (name in LONG_TERM_ALLOWED
                                                                 and is_long_term(field.value))
    return True


def shown(name: str, value: str | None) -> str | None:
    return mask_identifier(compact_identifier(value)) if value and name in MASKED_FIELDS else value


def agrees_with_application(ctx: CheckContext, document_type: DocumentType, field: str, value: str) -> bool | None:
    """True when the reading says what the application says (for a card number: every digit read, in order,
    with enough of them to confirm the card); False when it says something else; None when the application
    has nothing to compare this field with."""
    facts = ctx.facts
    if (document_type, field) == (D.ID_CARD_FRONT, "id_number"):
        return as_18_digits(compact_identifier(value)) == as_18_digits(compact_identifier(facts.id_number))
    applied_name = _applied_name(ctx, document_type, field)
    if applied_name is not None:
        return name_reads_as(ctx, document_type, field, value, applied_name)
    if (document_type, field) == (D.BANK_CARD, "card_number"):
        if ctx.ruleset.policy.settlement.kind[facts.merchant_type] != "card":
            return None  # a corporate account's number is on the permit, not a card
        return card_reading_confirms(ctx, value) or card_read_as_application(ctx)
    if (document_type, field) == (D.ADDRESS_PROOF, "address"):
        score = address_match_score(value, facts.business_address, ctx.ruleset.policy.address.ignore_words)
        return score >= ctx.thresholds.address_match_min_score
    return None


def _applied_name(ctx: CheckContext, document_type: DocumentType, field: str) -> str | None:
    """The application's name a name field on this document is compared with (None: not a name field)."""
    if (document_type, field) in ((D.ID_CARD_FRONT, "name"), (D.BUSINESS_LICENSE, "legal_representative")):
        return ctx.facts.legal_name
    if (document_type, field) == (D.BUSINESS_LICENSE, "company_name"):
        return ctx.facts.business_name
    return None


def near_misread(ctx: CheckContext, document_type: DocumentType, field: str, value: str) -> bool:
    """A name field read a character or so off the application's (the `near` variant of the name mismatches),
    or a card number read whole with a digit or so differing: what a small or blurred photo's misread looks
    like, where another person's name or another card would differ in more."""
    applied = _applied_name(ctx, document_type, field)
    if applied is not None:
        return names_near(ctx, value, applied)
    if (document_type, field) == (D.BANK_CARD, "card_number"):
        read, number = digits_only(value), digits_only(ctx.facts.settlement_number)
        return len(read) == len(number) and \
            sum(a != b for a, b in zip(read, number)) <= ctx.thresholds.doubtful_card_number_max_digits
    return False


def card_read_as_application(ctx: CheckContext) -> bool:
    """The card photo's number, with an unsure digit taken as the recogniser's next candidate, is the
    application's (rules.checks.alternatives)."""
    return read_as(ctx, D.BANK_CARD, "card_number", ctx.facts.settlement_number,
                   lambda read, applied: digits_only(read) == digits_only(applied))


def card_reading_confirms(ctx: CheckContext, value: str) -> bool:
    """The whole number, or a partial reading agreeing on every digit it has with enough digits to be sure."""
    read, applied = digits_only(value), digits_only(ctx.facts.settlement_number)
    if not read:
        return False
    if read == applied:
        return True
    return (len(read) < len(applied) and digits_in_order(applied, read)
            and len(read) >= ctx.ruleset.policy.settlement.partial_card_number_min_digits)


def fields_read_and_agree(ctx: CheckContext, document_type: DocumentType, *, near_misreads: bool = False) -> bool:
    """Every field the rules need from this document was read, each either with confidence or saying exactly
    what the application says, and none contradicts the application (with `near_misreads`, a name a character
    off or a card number a digit off does not count as contradicting). False for documents with nothing to
    read (a premises photo): there the quality gate is the only judge."""
    document = ctx.document(document_type)
    required = ctx.ruleset.policy.required_fields.get(document_type, ())
    if document is None or not required:
        return False
    for name in required:
        field = document.fields.get(name)
        if not readable(name, field):
            return False
        agrees = agrees_with_application(ctx, document_type, name, field.value)
        if agrees is False and not (near_misreads and near_misread(ctx, document_type, name, field.value)):
            return False
        if agrees is None and field.confidence < ctx.thresholds.min_field_confidence:
            return False
    return True


def passed_quality_gate(ctx: CheckContext, document: DocumentFacts) -> bool:
    """Large enough and sharp enough by the rule files (an unmeasured value is no finding)."""
    min_width = ctx.thresholds.min_image_width.get(document.document_type)
    if document.width is not None and min_width is not None and document.width < min_width:
        return False
    return document.blur_score is None or document.blur_score >= ctx.thresholds.min_blur_score
