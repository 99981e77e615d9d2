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


def extract(reading: OcrReading) -> dict[str, ExtractedField]:
    card = choose(card_number_candidates(all_lines(reading)), is_plausible_card)
    return {"card_number": card} if card is not None else {}


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
