"""The settlement account: a valid card number, the card in the photo, and the same-name rule."""
from __future__ import annotations

from documents.types import DocumentType
from rules.checks.context import CheckContext
from documents.checksums import luhn_is_valid
from rules.model import Deficiency
from rules.checks.agreement import card_read_as_application, card_reading_confirms, near_misread
from rules.text import compact_identifier, digits_in_order, digits_only, same_name

CARD = DocumentType.BANK_CARD
PERMIT = DocumentType.ACCOUNT_PERMIT


def settlement_document(ctx: CheckContext) -> DocumentType:
    kind = ctx.ruleset.policy.settlement.kind[ctx.facts.merchant_type]
    return CARD if kind == "card" else PERMIT


def check_card_number(ctx: CheckContext) -> list[Deficiency]:
    if settlement_document(ctx) != CARD:
        return []  # corporate account numbers are not cards: no length or Luhn rule applies
    policy = ctx.ruleset.policy.settlement
    raw = ctx.facts.settlement_number
    number = digits_only(raw)
    last4 = number[-4:]
    reason = None
    if not raw.strip():
        reason = "no number given"
    elif number != compact_identifier(raw):
        reason = "contains characters other than digits"
    elif not policy.card_number_min_length <= len(number) <= policy.card_number_max_length:
        reason = f"{len(number)} digits, expected {policy.card_number_min_length}-{policy.card_number_max_length}"
    elif not luhn_is_valid(number):
        if number.startswith(policy.luhn_failure_warning_prefixes):
            return [ctx.deficiency("card_number_luhn_failed", CARD, "settlement_number", evidence={"last4": last4})]
        reason = "fails the Luhn check"
    if reason is None:
        return []
    return [ctx.deficiency("card_number_invalid", CARD, "settlement_number",
                           evidence={"last4": last4, "reason": reason})]


def check_card_photo(ctx: CheckContext) -> list[Deficiency]:
    """The card in the photo is the settlement card. A reading with digits lost under glare or embossing that
    agrees with the application's number on every digit it has is this card, not a mismatch: enough digits
    confirm it (a staff note); too few go to staff to compare with the image. The merchant is asked only
    for a different card read with confidence."""
    if settlement_document(ctx) != CARD:
        return []
    document = ctx.document(CARD)
    extracted = document.fields.get("card_number") if document else None
    raw = extracted.value if extracted else None
    on_card, applied = digits_only(raw or ""), digits_only(ctx.facts.settlement_number)
    if not on_card or on_card == applied or card_read_as_application(ctx):
        return []
    if len(on_card) < len(applied) and digits_in_order(applied, on_card):
        evidence = {"digits_read": len(on_card), "digits_expected": len(applied),
                    "min_digits": ctx.ruleset.policy.settlement.partial_card_number_min_digits,
                    "application_last4": applied[-4:]}
        variant = None if card_reading_confirms(ctx, on_card) else "unconfirmed"
        return [ctx.deficiency("card_number_partly_read", CARD, "card_number", variant=variant, evidence=evidence)]
    if ctx.value(CARD, "card_number") is None:
        return []  # a doubtful reading of other digits: ocr_low_confidence, for staff
    # Only the last four digits go into messages and evidence: card numbers are not staff business.
    return [ctx.deficiency("card_number_mismatch", CARD, "card_number", variant="near" if near_misread(
        ctx, CARD, "card_number", on_card) and not luhn_is_valid(on_card) else None,
                           evidence={"document_last4": on_card[-4:], "application_last4": applied[-4:]})]


def check_same_name(ctx: CheckContext) -> list[Deficiency]:
    sources = ctx.ruleset.policy.settlement.holder_must_match[ctx.facts.merchant_type]
    allowed = [getattr(ctx.facts, source) for source in sources]
    holder = ctx.facts.settlement_holder_name
    if any(same_name(holder, name) for name in allowed):
        return []
    return [ctx.deficiency(
        "settlement_account_name_mismatch", settlement_document(ctx), "settlement_holder_name",
        evidence={"holder": holder, "expected": allowed, "merchant_type": ctx.facts.merchant_type.value},
    )]
