"""Typed values in OCR text: dates, digit runs with look-alike repair, checksum-voted identifiers."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from documents.types import ExtractedField

# Letters the recogniser returns for digits in a digit context.
_DIGIT_LOOKALIKES = str.maketrans({
    "O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "i": "1", "!": "1",
    "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8", "G": "6", "b": "6", "g": "9",
})
_TOKEN = re.compile(r"[0-9A-Za-z|!]+")
# In a date (1987年1月了日) chi_sim reads a lone 7 as 了 and 0 as 〇.
_DATE_LOOKALIKES = str.maketrans({"了": "7", "〇": "0"})
_DATE = re.compile(r"(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})(?!\d)")


@dataclass(frozen=True)
class Candidate:
    value: str
    confidence: float  # OCR confidence of the line it came from
    # The pass that read the identifier whole; empty for a weaker reading (a window of a longer run).
    source: str = ""


def repair_digits(text: str, *, keep: str = "") -> str:
    """Map look-alike letters to digits inside tokens that are mostly digits (2O13 → 2013, not 长期)."""
    def fix(match: re.Match[str]) -> str:
        token = match.group()
        digits = sum(c.isdigit() for c in token)
        if digits < 0.6 * len(token) or len(token) < 3:
            return token
        return "".join(c if c in keep else c.translate(_DIGIT_LOOKALIKES) for c in token)

    return _TOKEN.sub(fix, text)


def parse_date(text: str) -> date | None:
    """The first real date written as 2026年11月11日, 2026.11.11, 2026-11-11 or 2026/11/11."""
    for found in find_dates(text):
        return found
    return None


def find_dates(text: str) -> list[date]:
    text = repair_digits(text.translate(_DATE_LOOKALIKES))
    dates = []
    for match in _DATE.finditer(text):
        real = to_date(*match.groups())
        if real is not None:
            dates.append(real)
    return dates


def to_date(year: str, month: str, day: str) -> date | None:
    try:
        real = date(int(year), int(month), int(day))
    except ValueError:
        return None
    return real if 1900 <= real.year <= 2200 else None


def choose(candidates: Iterable[Candidate], is_valid: Callable[[str], bool]) -> ExtractedField | None:
    """Vote among readings of one identifier, trusting only values that pass their check character.

    A random misreading passes a check character about once in ten (Luhn, GB 11643) or
    thirty (GB 32100), so a valid value from any pass beats an invalid one from all others.
    Without any valid reading, see `_without_valid_reading`.
    """
    candidates = list(candidates)
    if not candidates:
        return None
    valid = [c for c in candidates if is_valid(c.value)]
    if not valid:
        return _without_valid_reading(candidates)
    best, ocr_confidence, rivals = _vote(valid)
    confidence = 0.6 + 0.4 * ocr_confidence
    if rivals:  # two different valid readings: the document is ambiguous
        confidence *= 0.7
    return ExtractedField(value=best, confidence=round(min(confidence, 1.0), 3))


def _without_valid_reading(candidates: list[Candidate]) -> ExtractedField:
    """No reading passes the check character: the document's own value is invalid, or every pass misread it.

    When at least two passes read the identifier whole and all of them read the same characters
    (the page pass and the whitelisted re-read are different recognisers), the document most
    likely carries exactly that invalid value (a forged, mistyped or wrong document): it keeps
    the OCR's own confidence, so a clear read reaches the checks. Otherwise the readings
    disagree or stand alone, and the best guess is kept at a low confidence for staff review.
    """
    whole = [c for c in candidates if c.source]
    if len({c.value for c in whole}) == 1 and len({c.source for c in whole}) >= 2:
        return ExtractedField(value=whole[0].value, confidence=round(max(c.confidence for c in whole), 3))
    best, ocr_confidence, _ = _vote(candidates)
    return ExtractedField(value=best, confidence=round(0.4 * ocr_confidence, 3))


def _vote(candidates: list[Candidate]) -> tuple[str, float, bool]:
    """The value most readings back, its best line confidence, and whether other values were read."""
    votes: dict[str, float] = {}
    for candidate in candidates:
        # Targeted passes report 0 confidence for whitelisted reads; a reading still counts as a vote.
        votes[candidate.value] = votes.get(candidate.value, 0.0) + 0.1 + candidate.confidence
    best = max(votes, key=lambda value: votes[value])
    return best, max(c.confidence for c in candidates if c.value == best), len(votes) > 1


def field(value: str | None, confidence: float) -> ExtractedField | None:
    if not value:
        return None
    return ExtractedField(value=value, confidence=round(min(max(confidence, 0.0), 1.0), 3))


def repaired(value: str | None, confidence: float, repair: Callable[[str], tuple[str, bool]]) -> ExtractedField | None:
    """A field after a dictionary repair (place names); a repaired value is a little less certain."""
    if not value:
        return None
    fixed, changed = repair(value)
    return field(fixed, confidence * 0.9 if changed else confidence)
