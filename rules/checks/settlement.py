"""The settlement account: a valid card number, the card in the photo, and the same-name rule."""
from __future__ import annotations

from documents.types import DocumentType
from rules.checks.context import CheckContext
from documents.checksums import luhn_is_valid
from rules.model import Deficiency
from rules.text import compact_identifier, digits_only, same_name

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
    if settlement_document(ctx) != CARD:
        return []
    read = ctx.value(CARD, "card_number")
    if read is None:
        return []
    on_card, applied = digits_only(read), digits_only(ctx.facts.settlement_number)
    if on_card == applied:
        return []
    if len(on_card) < len(applied) and _digits_dropped_from(applied, on_card):
        # A smudge or glare hid some digits: the photo shows this card, only not all of its number. The
        # merchant needs a clearer photo, not to be told it is the wrong card.
        return [ctx.deficiency("document_unreadable", CARD, "card_number",
                               evidence={"fields": ["card_number"], "digits_read": len(on_card),
                                         "digits_expected": len(applied)})]
    # Only the last four digits go into messages and evidence: card numbers are not staff business.
    return [ctx.deficiency("card_number_mismatch", CARD, "card_number",
                           evidence={"document_last4": on_card[-4:], "application_last4": applied[-4:]})]


def _digits_dropped_from(number: str, shorter: str) -> bool:
    """Whether `shorter` is `number` with some digits left out (in order); by chance, another card's number
    almost never is."""
    remaining = iter(number)
    return all(digit in remaining for digit in shorter)


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
