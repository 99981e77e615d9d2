"""A reading that says what the application says once an unsure character is taken as the recogniser's own
next candidate.

RapidOCR's recogniser gives, for a character it is unsure of, the other characters it weighed (documents.types
.CharAlternative: 水 read at 0.51 with 永 at 0.47). A reading that differs from the application's value only at
such places, each time by a character the recogniser gave at least `misread_alternative_min_probability`
there, and at no more than `misread_alternative_max_characters` places, is a misread of that value: another
business, person or card would differ where the recogniser was sure, or by a character it never weighed.
"""
from __future__ import annotations

from collections.abc import Callable

from documents.types import DocumentType
from rules.checks.context import CheckContext
from rules.text import same_name


def read_as(ctx: CheckContext, document_type: DocumentType, field: str, applied: str,
            same: Callable[[str, str], bool]) -> bool:
    """Whether the reading of `field`, with at most the allowed unsure characters replaced by the
    application's, is `same` as `applied` (spaces aside, character for character)."""
    extracted = ctx.extracted(document_type, field)
    if extracted is None or not extracted.value or not extracted.alternatives or not applied:
        return False
    value = extracted.value
    places = [index for index, char in enumerate(value) if not char.isspace()]
    wanted = [char for char in applied if not char.isspace()]
    if len(places) != len(wanted):
        return False
    options = {alternative.at: alternative.options for alternative in extracted.alternatives}
    floor = ctx.thresholds.misread_alternative_min_probability
    chars, taken = list(value), 0
    for index, char in zip(places, wanted):
        if value[index] == char:
            continue
        if options.get(index, {}).get(char, 0.0) < floor:
            return False
        chars[index], taken = char, taken + 1
    return 0 < taken <= ctx.thresholds.misread_alternative_max_characters and same("".join(chars), applied)


def name_reads_as(ctx: CheckContext, document_type: DocumentType, field: str, read: str, applied: str) -> bool:
    """A name field says the application's name: the same name, or that name but for a character the
    recogniser weighed (above)."""
    return same_name(read, applied) or read_as(ctx, document_type, field, applied, same_name)
