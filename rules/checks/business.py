"""The business licence: its credit code (GB 32100), whose business it is and who represents it."""
from __future__ import annotations

from documents.types import DocumentType
from rules.checks.alternatives import name_reads_as
from rules.checks.context import CheckContext
from rules.checks.identity import name_mismatch
from documents.checksums import USCC_ALPHABET, uscc_check_char, uscc_is_valid
from rules.model import Deficiency, MerchantType
from rules.text import compact_identifier

LICENSE = DocumentType.BUSINESS_LICENSE
LEGACY_REGISTRATION_LENGTH = 15  # pre-2015 licences: 注册号, no check character to verify
USCC_LENGTH = 18


def check_uscc(ctx: CheckContext) -> list[Deficiency]:
    raw = ctx.value(LICENSE, "uscc")
    if raw is None:
        return []
    code = compact_identifier(raw)
    if len(code) == LEGACY_REGISTRATION_LENGTH and code.isdigit():
        return [ctx.deficiency("uscc_legacy_registration_number", LICENSE, "uscc", evidence={"uscc": code})]
    if not uscc_is_valid(code):
        # Only a clear read gets here (ctx.value): extraction keeps a doubtful read of an invalid
        # code below the confidence threshold, and that goes to staff as ocr_low_confidence.
        return [ctx.deficiency("uscc_invalid", LICENSE, "uscc",
                               evidence={"uscc": code, "reason": why_uscc_invalid(code),
                                         "confidence": ctx.confidence(LICENSE, "uscc")})]
    return _entity_type(ctx, code)


def why_uscc_invalid(code: str) -> str:
    if len(code) != USCC_LENGTH:
        return f"{len(code)} characters, expected {USCC_LENGTH}"
    outside = sorted({c for c in code if c not in USCC_ALPHABET})
    if outside:
        return f"{''.join(outside)} not in the GB 32100 alphabet"
    return f"check character is {code[-1]}, GB 32100 gives {uscc_check_char(code[:-1])}"


def _entity_type(ctx: CheckContext, code: str) -> list[Deficiency]:
    # A sole trader's licence starting otherwise (or a company's starting 92) usually means a
    # wrong merchant type on the application; staff decide, the merchant is not asked.
    prefix = ctx.ruleset.policy.business.sole_trader_uscc_prefix
    is_sole_trader = ctx.facts.merchant_type == MerchantType.SOLE_TRADER
    if code.startswith(prefix) == is_sole_trader or ctx.facts.merchant_type == MerchantType.SMALL_MICRO:
        return []
    return [ctx.deficiency(
        "uscc_entity_type_mismatch", LICENSE, "uscc",
        evidence={"uscc": code, "merchant_type": ctx.facts.merchant_type.value, "prefix": prefix},
        relation="does not start" if is_sole_trader else "starts",
    )]


def check_license_names(ctx: CheckContext) -> list[Deficiency]:
    found: list[Deficiency] = []
    company = ctx.value(LICENSE, "company_name")
    if company and not name_reads_as(ctx, LICENSE, "company_name", company, ctx.facts.business_name):
        found.append(name_mismatch(ctx, "business_name_mismatch", LICENSE, "company_name", company,
                                   ctx.facts.business_name))
    representative = ctx.value(LICENSE, "legal_representative")
    if representative and not name_reads_as(ctx, LICENSE, "legal_representative", representative,
                                            ctx.facts.legal_name):
        found.append(name_mismatch(ctx, "name_mismatch", LICENSE, "legal_representative", representative,
                                   ctx.facts.legal_name))
    return found
