"""The ID card back: how long the card is still valid, and whether its validity period is plausible."""
from __future__ import annotations

from datetime import date, timedelta

from documents.types import DocumentType
from rules.checks.context import CheckContext
from documents.checksums import ric_birth_date, ric_is_valid
from rules.model import Deficiency
from rules.schema import ValidityBand
from rules.text import LONG_TERM, add_years, age_on, compact_identifier, is_long_term, parse_document_date

BACK = DocumentType.ID_CARD_BACK
FRONT = DocumentType.ID_CARD_FRONT
# Cards are printed with an end date on the start date's anniversary; allow a month for
# reissues and hand-corrected OCR before calling a period implausible.
PERIOD_SLACK = timedelta(days=31)


def check_id_validity(ctx: CheckContext) -> list[Deficiency]:
    raw_until = ctx.value(BACK, "valid_until")
    if raw_until is None or is_long_term(raw_until):
        return []
    until = parse_document_date(raw_until)
    if until is None:
        return []  # reported as unreadable by the confidence checks
    if until < ctx.today:
        return [ctx.deficiency("document_expired", BACK, "valid_until", evidence={"valid_until": until})]
    days_left = (until - ctx.today).days
    min_days = ctx.thresholds.min_validity_days
    if days_left < min_days:
        return [ctx.deficiency("document_expiring_soon", BACK, "valid_until",
                               evidence={"valid_until": until, "days_left": days_left, "min_days": min_days})]
    return []


def check_validity_period(ctx: CheckContext) -> list[Deficiency]:
    """A period that does not fit the holder's age at issue suggests a misread or a forged card: staff look."""
    valid_from = parse_document_date(ctx.value(BACK, "valid_from"))
    raw_until = ctx.value(BACK, "valid_until")
    birth = _birth_date(ctx)
    if valid_from is None or raw_until is None or birth is None or valid_from < birth:
        return []
    until = None if is_long_term(raw_until) else parse_document_date(raw_until)
    if until is None and not is_long_term(raw_until):
        return []
    age_at_issue = age_on(birth, valid_from)
    expected_years = expected_validity_years(ctx.ruleset.policy.id_validity_by_age_at_issue, age_at_issue)
    if _period_fits(valid_from, until, expected_years):
        return []
    return [ctx.deficiency(
        "id_validity_period_inconsistent", BACK, "valid_until",
        evidence={"valid_from": valid_from, "valid_until": until or LONG_TERM, "age_at_issue": age_at_issue,
                  "expected": _describe(expected_years), "actual": _describe_actual(valid_from, until)},
    )]


def expected_validity_years(bands: tuple[ValidityBand, ...], age_at_issue: int) -> int | None:
    for band in bands:
        if band.max_age_at_issue is None or age_at_issue <= band.max_age_at_issue:
            return band.years
    return None


def _period_fits(valid_from: date, until: date | None, expected_years: int | None) -> bool:
    if expected_years is None or until is None:
        return expected_years is None and until is None
    return abs(until - add_years(valid_from, expected_years)) <= PERIOD_SLACK


def _birth_date(ctx: CheckContext) -> date | None:
    number = compact_identifier(ctx.facts.id_number)
    if ric_is_valid(number):
        return ric_birth_date(number)
    return parse_document_date(ctx.value(FRONT, "birth_date"))


def _describe(years: int | None) -> str:
    return "long-term (长期)" if years is None else f"{years} years"


def _describe_actual(valid_from: date, until: date | None) -> str:
    if until is None:
        return "long-term (长期)"
    return f"about {round((until - valid_from).days / 365.25, 1):g} years"
