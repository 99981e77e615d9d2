"""Normalising what merchants type and what OCR reads, so that comparisons ignore noise.

Merchants type on phone keyboards that switch between full- and half-width
characters, and OCR inserts spaces between CJK glyphs; neither is a real difference.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

LONG_TERM = "长期"

_SPACES = re.compile(r"\s+")
_DATE = re.compile(r"^(\d{4})\D{1,2}(\d{1,2})\D{1,2}(\d{1,2})\D?$")


def to_half_width(text: str) -> str:
    """Full-width ASCII (Ａ１（）) and the ideographic space become their half-width forms."""
    out = []
    for ch in text:
        code = ord(ch)
        if code == 0x3000:
            out.append(" ")
        elif 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


def normalise_name(name: str) -> str:
    # NFKC also folds compatibility ideographs that some IMEs produce; casefold for Latin names.
    return _SPACES.sub("", unicodedata.normalize("NFKC", to_half_width(name))).casefold()


def same_name(a: str | None, b: str | None) -> bool:
    """Person or company names equal after dropping spaces and width differences; blank never matches."""
    if not a or not b:
        return False
    left, right = normalise_name(a), normalise_name(b)
    return bool(left) and left == right


def name_edits(a: str, b: str) -> int:
    """How many characters differ between two names (Levenshtein: substituted, dropped or added), after
    normalising (主立新 / 王立新: 1)."""
    left, right = normalise_name(a), normalise_name(b)
    previous = list(range(len(right) + 1))
    for i, char in enumerate(left, 1):
        current = [i]
        for j, other in enumerate(right, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        previous = current
    return previous[-1]


def digits_in_order(number: str, reading: str) -> bool:
    """Whether `reading` is `number` with some digits left out (or none), in order: a partial reading of
    that number. By chance another number of similar length almost never is."""
    remaining = iter(number)
    return all(digit in remaining for digit in reading)


def compact_identifier(value: str) -> str:
    """ID, card and credit-code numbers: no spaces or dashes, upper case, half width."""
    return re.sub(r"[\s\-]", "", to_half_width(value)).upper()


def digits_only(value: str) -> str:
    return "".join(ch for ch in to_half_width(value) if ch.isdigit())


def parse_document_date(value: str | None) -> date | None:
    """YYYY-MM-DD as the extractor emits it; also YYYY.MM.DD and YYYY年MM月DD日 as printed on documents."""
    if not value:
        return None
    match = _DATE.match(to_half_width(value).strip())
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def is_long_term(value: str | None) -> bool:
    return value is not None and to_half_width(value).strip() in (LONG_TERM, "长期有效")


def age_on(birth: date, day: date) -> int:
    """Completed years, the way 周岁 is counted."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap target year
        return day.replace(year=day.year + years, day=28)


def mask_identifier(value: str, keep_start: int = 4, keep_end: int = 4) -> str:
    """Merchant-facing messages never show a full ID or card number."""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]
