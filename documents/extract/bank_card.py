"""Bank card: the card number, chosen across passes by Luhn check and UnionPay prefix.

Numbers are embossed or printed, grouped 4-4-4-4, 4-4-4-4-3, 6-13, 5-4-5-5 or not at all, 16 to 19
digits. The detector may return the groups as separate segments far apart on one row, or read a
group separator as a full stop; a group is never left out of a candidate: the whole row is one.
"""
from __future__ import annotations

import re

from documents.extract.lines import Line, all_lines, passes
from documents.extract.values import Candidate, choose, repair_digits
from documents.types import ExtractedField, OcrReading
from documents.checksums import luhn_is_valid

# Digit groups separated by single spaces (6222 0212 3456 7890 123) or one unbroken run.
_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9](?:[0-9]| (?=[0-9])){14,26}(?![0-9])")
# A full stop, middle dot or dash the recogniser puts between two groups (46730979.64457133).
_GROUP_SEPARATOR = re.compile(r"(?<=[0-9])\s*[.·•\-]\s*(?=[0-9])")
# A group of an embossed number with its 6s read as b (b22b): mostly digit-like characters.
_GROUP_TOKEN = re.compile(r"(?<![0-9A-Za-z])[0-9bOoIlDSZ|]{3,6}(?![0-9A-Za-z])")
_CARD_LOOKALIKES = str.maketrans({"b": "6", "O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "|": "1",
                                  "S": "5", "Z": "2"})
_EXPIRY = re.compile(r"(?<![0-9])[0-9]{1,2}\s*/\s*[0-9]{2,4}(?![0-9])")
_DIGITS_ONLY = re.compile(r"^[0-9 ]+$")
CARD_LENGTHS = range(16, 20)
# With no whole number, a shorter run (digits lost under glare or embossing) is kept as a partial reading at low
# confidence: the rules compare it digit by digit with the application's number (issue 15), and staff see it.
_PARTIAL_RUN = re.compile(r"(?<![0-9])[0-9](?:[0-9]| (?=[0-9])){11,26}(?![0-9])")
PARTIAL_MIN_DIGITS = 12
PARTIAL_CONFIDENCE_FACTOR = 0.4


def extract(reading: OcrReading) -> dict[str, ExtractedField]:
    lines = all_lines(reading)
    candidates = card_number_candidates(lines)
    for row in passes(reading):
        candidates += row_candidates(row)
    card = choose(candidates, is_plausible_card) or partial_card_number(lines)
    return {"card_number": card} if card is not None else {}


def partial_card_number(lines: list[Line]) -> ExtractedField | None:
    """The longest run of 12 to 15 digits, kept below the confidence the rules act on by themselves."""
    runs = []
    for line in lines:
        for match in _PARTIAL_RUN.finditer(repair_digits(line.text)):
            digits = match.group().replace(" ", "")
            if PARTIAL_MIN_DIGITS <= len(digits) < min(CARD_LENGTHS):
                runs.append((len(digits), line.confidence, digits))
    if not runs:
        return None
    _, confidence, digits = max(runs)
    return ExtractedField(value=digits, confidence=round(PARTIAL_CONFIDENCE_FACTOR * confidence, 3))


def is_plausible_card(number: str) -> bool:
    """Luhn-valid and of card length. Some real debit cards fail Luhn; those still come out, at low confidence."""
    return len(number) in CARD_LENGTHS and luhn_is_valid(number)


def card_digits(text: str) -> str:
    """`text` with digit look-alikes repaired inside number groups and group separators made spaces.

    An expiry date (10/23) read on the number's row is set apart first: its year is no group of the number.
    """
    text = _EXPIRY.sub(" / ", text)
    text = _GROUP_TOKEN.sub(_group, text)
    return _GROUP_SEPARATOR.sub(" ", repair_digits(text))


def _group(match: re.Match[str]) -> str:
    token = match.group()
    return token.translate(_CARD_LOOKALIKES) if sum(c.isdigit() for c in token) >= 2 else token


def card_number_candidates(lines: list[Line]) -> list[Candidate]:
    candidates = []
    for line in lines:
        for match in _DIGIT_RUN.finditer(card_digits(line.text)):
            digits = match.group().replace(" ", "")
            if len(digits) in CARD_LENGTHS:
                candidates.append(Candidate(digits, line.confidence, line.pass_name))
    return candidates


def row_candidates(lines: list[Line]) -> list[Candidate]:
    """Digit groups the detector returned as separate segments of one row (6214 8301 | 8047 0568), joined.

    Only rows of digits alone, left to right, all of them: a candidate never skips a group.
    """
    groups = [(line, card_digits(line.text).strip()) for line in lines if line.box is not None]
    groups = [(line, digits) for line, digits in groups if _DIGITS_ONLY.match(digits) and len(digits) >= 3]
    candidates = []
    used: set[int] = set()
    for i, (line, _) in enumerate(groups):
        if i in used:
            continue
        row = [j for j, (other, _) in enumerate(groups) if _same_row(line.box, other.box)]
        used.update(row)
        if len(row) < 2:
            continue
        row.sort(key=lambda j: groups[j][0].box[0])
        digits = "".join(groups[j][1].replace(" ", "") for j in row)
        if len(digits) in CARD_LENGTHS:
            candidates.append(Candidate(digits, min(groups[j][0].confidence for j in row)))
    return candidates


def _same_row(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    overlap = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return overlap > 0.5 * min(a[3], b[3]) and max(a[3], b[3]) < 1.6 * min(a[3], b[3])
