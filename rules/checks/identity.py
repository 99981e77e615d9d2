"""The applicant's resident ID number (GB 11643) and what the ID card front says about it."""
from __future__ import annotations

from datetime import date

from documents.types import DocumentType
from rules.checks.alternatives import name_reads_as
from rules.checks.context import CheckContext
from documents.checksums import ric_birth_date, ric_check_char, ric_is_male, ric_is_valid
from rules.model import Deficiency
from rules.text import age_on, compact_identifier, mask_identifier, name_edits, parse_document_date

FRONT = DocumentType.ID_CARD_FRONT
_MALE = frozenset({"男", "m", "male"})
_FEMALE = frozenset({"女", "f", "female"})


def as_18_digits(number: str) -> str:
    """A legacy 15-digit number in its 18-digit form (century 19 inserted, check char added); others unchanged."""
    if len(number) == 15 and number.isdigit():
        first17 = number[:6] + "19" + number[6:]
        return first17 + ric_check_char(first17)
    return number


def why_invalid(number: str, today: date) -> str | None:
    """None for a usable ID number, else a reason for staff."""
    if len(number) == 18:
        if not (number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")):
            return "not 17 digits followed by a check character"
    elif len(number) == 15:
        if not number.isdigit():
            return "legacy 15-character number is not all digits"
    else:
        return f"{len(number)} characters, expected 18 (or legacy 15)"
    birth = ric_birth_date(number)
    if birth is None:
        return "birth date is not a real date"
    if not ric_is_valid(number):
        return f"check character is {number[17]}, GB 11643 gives {ric_check_char(number[:17])}"
    if birth > today:
        return "birth date is in the future"
    return None


def check_application_id_number(ctx: CheckContext) -> list[Deficiency]:
    number = compact_identifier(ctx.facts.id_number)
    masked = mask_identifier(number)
    reason = why_invalid(number, ctx.today)
    if reason:
        return [ctx.deficiency("id_number_invalid", field="id_number", evidence={"reason": reason},
                               id_number_masked=masked)]
    birth = ric_birth_date(number)
    assert birth is not None
    age, min_age = age_on(birth, ctx.today), ctx.thresholds.min_applicant_age
    if age < min_age:
        return [ctx.deficiency("applicant_under_age", field="id_number",
                               evidence={"age": age, "min_age": min_age, "birth_date": birth})]
    return []


def check_id_card_front(ctx: CheckContext) -> list[Deficiency]:
    if ctx.document(FRONT) is None:
        return []
    found: list[Deficiency] = []
    application_number = compact_identifier(ctx.facts.id_number)
    read_number = ctx.value(FRONT, "id_number")
    card_number = compact_identifier(read_number) if read_number else None
    card_reason = why_invalid(card_number, ctx.today) if card_number else None
    if card_reason:
        # Read clearly and still invalid: no genuine card carries such a number (extraction keeps a
        # doubtful read of one below the confidence threshold, for staff). It differs from the
        # application's number too, but "upload the genuine card" is the request that fixes both.
        found.append(ctx.deficiency(
            "id_number_invalid", FRONT, "id_number", variant="on_card",
            evidence={"document_masked": mask_identifier(card_number), "reason": card_reason,
                      "confidence": ctx.confidence(FRONT, "id_number")},
        ))
    elif card_number and as_18_digits(card_number) != as_18_digits(application_number):
        found.append(ctx.deficiency(
            "id_number_mismatch", FRONT, "id_number",
            evidence={"document_masked": mask_identifier(card_number),
                      "application_masked": mask_identifier(application_number)},
        ))
    read_name = ctx.value(FRONT, "name")
    if read_name and not name_reads_as(ctx, FRONT, "name", read_name, ctx.facts.legal_name):
        found.append(name_mismatch(ctx, "name_mismatch", FRONT, "name", read_name, ctx.facts.legal_name))
    # The card must agree with itself: its own number when readable, else the one applied with.
    reference = card_number if card_number and ric_is_valid(card_number) else application_number
    if ric_is_valid(reference):
        found += _card_consistency(ctx, reference)
    return found


def name_mismatch(ctx: CheckContext, code: str, document_type: DocumentType, field: str, read: str,
                  applied: str) -> Deficiency:
    """A name read with confidence that differs from the application's. A character off (主立新 for 王立新) is
    variant `near`: a misread as likely as another person, which the catalogue routes to staff."""
    return ctx.deficiency(code, document_type, field, variant="near" if names_near(ctx, read, applied) else None,
                          evidence={"document": read, "application": applied}, edits=name_edits(read, applied))


def names_near(ctx: CheckContext, read: str, applied: str) -> bool:
    """Names a character or so apart (主立新, 王立新): a misread as likely as another person."""
    return name_edits(read, applied) <= ctx.thresholds.doubtful_name_mismatch_max_edits


def _card_consistency(ctx: CheckContext, number: str) -> list[Deficiency]:
    found: list[Deficiency] = []
    sex = ctx.value(FRONT, "sex")
    said_male = _says_male(sex) if sex else None
    if said_male is not None and said_male != ric_is_male(number):
        found.append(ctx.deficiency(
            "sex_mismatch", FRONT, "sex",
            evidence={"document": sex, "number": "male" if ric_is_male(number) else "female"},
        ))
    read_birth = ctx.value(FRONT, "birth_date")
    birth_on_card = parse_document_date(read_birth)
    encoded = ric_birth_date(number)
    if birth_on_card and encoded and birth_on_card != encoded:
        found.append(ctx.deficiency("birth_date_mismatch", FRONT, "birth_date",
                                    evidence={"document": birth_on_card, "number": encoded}))
    return found


def _says_male(sex: str) -> bool | None:
    text = sex.strip().casefold()
    if text in _MALE:
        return True
    if text in _FEMALE:
        return False
    return None
