"""Bank card: the card number, chosen across passes by Luhn check and UnionPay prefix."""
from __future__ import annotations

import re

from documents.extract.lines import Line, all_lines
from documents.extract.values import Candidate, choose, repair_digits
from documents.types import ExtractedField, OcrReading
from documents.checksums import luhn_is_valid

# Digit groups separated by single spaces (6222 0212 3456 7890 123) or one unbroken run.
_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9](?:[0-9]| (?=[0-9])){14,26}(?![0-9])")
CARD_LENGTHS = range(16, 20)
# With no whole number, a shorter run (digits lost under glare or embossing) is kept as a partial reading at low
# confidence: the rules compare it digit by digit with the application's number (issue 15), and staff see it.
_PARTIAL_RUN = re.compile(r"(?<![0-9])[0-9](?:[0-9]| (?=[0-9])){11,26}(?![0-9])")
PARTIAL_MIN_DIGITS = 12
PARTIAL_CONFIDENCE_FACTOR = 0.4


def extract(reading: OcrReading) -> dict[str, ExtractedField]:
    lines = all_lines(reading)
    card = choose(card_number_candidates(lines), is_plausible_card) or partial_card_number(lines)
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


def card_number_candidates(lines: list[Line]) -> list[Candidate]:
    candidates = []
    for line in lines:
        text = repair_digits(line.text)
        for match in _DIGIT_RUN.finditer(text):
            digits = match.group().replace(" ", "")
            if len(digits) in CARD_LENGTHS:
                candidates.append(Candidate(digits, line.confidence, line.pass_name))
    return candidates
