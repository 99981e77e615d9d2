"""Resident ID card: 人像面 (name, sex, ethnicity, birth date, address, ID number) and 国徽面 (authority, validity).

Each picture is read for the side it shows, whichever slot it was uploaded in, and says which side
that is (`card_side`): the rules then use a swapped pair as it is, and ask for a side that is
really missing (two photos of the front) instead of reporting the fields of the other side unreadable.
"""
from __future__ import annotations

import re
from datetime import date

from documents.extract.card_side import SIDE_FIELD, CardSide, classify_card_side
from documents.extract.lines import Labelled, Line, all_lines, labelled_values, passes
from documents.extract.gazetteer import correct_admin_prefix, correct_authority, starts_with_division
from documents.extract.values import Candidate, choose, field, find_dates, repair_digits, repaired, to_date
from documents.types import ExtractedField, OcrReading
from documents.checksums import ric_birth_date, ric_is_valid

FRONT_LABELS = ("姓名", "性别", "民族", "出生", "住址", "公民身份号码")
BACK_LABELS = ("签发机关", "有效期限")
_NAME = re.compile(r"[\u4e00-\u9fff·]{2,15}")
_WHOLE_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{2,}·[\u4e00-\u9fff·]{2,}")
_ETHNICITY = re.compile(r"[\u4e00-\u9fff]{1,6}")
_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9X])")
_VALIDITY = re.compile(
    r"(\d{4})[.\-/年]?(\d{2})[.\-/月]?(\d{2})日?\s*[-—–~至]+\s*(?:(\d{4})[.\-/年]?(\d{2})[.\-/月]?(\d{2})|(长期|长))"
)
VALIDITY_YEARS = (5, 10, 20)


def extract_front(reading: OcrReading) -> dict[str, ExtractedField]:
    return _extract_shown_side(reading, CardSide.FRONT)


def extract_back(reading: OcrReading) -> dict[str, ExtractedField]:
    return _extract_shown_side(reading, CardSide.BACK)


def _extract_shown_side(reading: OcrReading, slot: CardSide) -> dict[str, ExtractedField]:
    """The fields of the side the picture shows (the slot's side when that cannot be told), and the side."""
    lines = all_lines(reading)
    verdict = classify_card_side(lines)
    shown = verdict.side if verdict.side in (CardSide.FRONT, CardSide.BACK) else slot
    fields = _front_fields(reading, lines) if shown == CardSide.FRONT else _back_fields(lines)
    if verdict.side is not None:
        fields[SIDE_FIELD] = ExtractedField(value=verdict.side.value, confidence=verdict.confidence)
    return fields


def _front_fields(reading: OcrReading, lines: list[Line]) -> dict[str, ExtractedField]:
    fields: dict[str, ExtractedField | None] = {
        "name": _first_match(labelled_values(lines, ("姓名",), FRONT_LABELS) or _misread_name_label(lines), _NAME),
        "sex": _sex(labelled_values(lines, ("性别",), FRONT_LABELS)),
        "ethnicity": _first_match(labelled_values(lines, ("民族",), FRONT_LABELS), _ETHNICITY),
        "address": _address(reading),
        "id_number": choose(id_number_candidates(lines), ric_is_valid),
    }
    fields["birth_date"] = _birth_date(labelled_values(lines, ("出生",), FRONT_LABELS), fields["id_number"])
    return {name: value for name, value in fields.items() if value is not None}


def _back_fields(lines: list[Line]) -> dict[str, ExtractedField]:
    fields: dict[str, ExtractedField | None] = {
        "issuing_authority": _authority(labelled_values(lines, ("签发机关",), BACK_LABELS)),
    }
    fields.update(_validity(lines))
    return {name: value for name, value in fields.items() if value is not None}


def id_number_candidates(lines: list[Line]) -> list[Candidate]:
    candidates = []
    for line in lines:
        text = repair_digits(line.compact, keep="Xx").upper()
        candidates.extend(Candidate(m.group(), line.confidence, line.pass_name) for m in _ID_NUMBER.finditer(text))
    return candidates


def _first_match(found: list[Labelled], pattern: re.Pattern[str]) -> ExtractedField | None:
    for labelled in found:
        match = pattern.search(labelled.value)
        if match:
            return field(match.group(), labelled.confidence)
    return None


def _sex(found: list[Labelled]) -> ExtractedField | None:
    for labelled in found:
        for char in labelled.value[:3]:
            if char in "男女":
                return field(char, labelled.confidence)
    return None


def _birth_date(found: list[Labelled], id_number: ExtractedField | None) -> ExtractedField | None:
    """The printed birth date; agreement with a valid ID number's date raises confidence, conflict lowers it."""
    from_number = ric_birth_date(id_number.value) if id_number and id_number.value else None
    for labelled in found:
        dates = find_dates(labelled.value)
        if not dates:
            continue
        printed = dates[0]
        confidence = labelled.confidence
        if from_number is not None:
            confidence = max(confidence, 0.9) if printed == from_number else confidence * 0.5
        return field(printed.isoformat(), confidence)
    return None


def _address(reading: OcrReading) -> ExtractedField | None:
    for lines in passes(reading):
        for labelled in labelled_values(lines, ("住址",), ("公民身份号码",)) or _misread_address_label(lines):
            more = labelled.continuation(lines, ("公民身份号码",))
            value = labelled.value + "".join(line.compact for line in more)
            if value:
                ocr = [labelled.confidence] + [line.confidence for line in more]
                return repaired(value, sum(ocr) / len(ocr), correct_admin_prefix)
    return None


def _misread_name_label(lines: list[Line]) -> list[Labelled]:
    """姓名 with its first character misread (盐名 on a flat scan read by tesseract), followed by a name alone."""
    return [Labelled(line.compact[2:], line, anchor_exact=False) for line in lines
            if line.compact[1:2] == "名" and _WHOLE_NAME.fullmatch(line.compact[2:])]


def _misread_address_label(lines: list[Line]) -> list[Labelled]:
    """住址 with one character misread (佳址, 住直), known by the place name that follows."""
    return [Labelled(line.compact[2:], line, anchor_exact=False) for line in lines
            if (line.compact[:1] == "住" or line.compact[1:2] == "址") and starts_with_division(line.compact[2:])]


def _authority(found: list[Labelled]) -> ExtractedField | None:
    extracted = _first_match(found, _NAME)
    if extracted is None:
        return None
    return repaired(extracted.value, extracted.confidence, correct_authority)


def _validity(lines: list[Line]) -> dict[str, ExtractedField | None]:
    """valid_from / valid_until from 有效期限; a period that is not 5, 10 or 20 years is suspicious."""
    labelled = labelled_values(lines, ("有效期限",), BACK_LABELS)
    sources = [(item.value, item.confidence) for item in labelled]
    sources += [(line.compact, line.confidence * 0.8) for line in lines]  # label unreadable: any line with a range
    for text, confidence in sources:
        match = _VALIDITY.search(repair_digits(text))
        if not match:
            continue
        start = to_date(*match.group(1, 2, 3))
        if start is None:
            continue
        if match.group(7):
            return {"valid_from": field(start.isoformat(), confidence), "valid_until": field("长期", confidence)}
        end = to_date(*match.group(4, 5, 6))
        if end is None:
            return {"valid_from": field(start.isoformat(), confidence)}
        plausible = _is_standard_period(start, end)
        period_confidence = confidence if plausible else confidence * 0.6
        return {"valid_from": field(start.isoformat(), period_confidence),
                "valid_until": field(end.isoformat(), period_confidence)}
    return {}


def _is_standard_period(start: date, end: date) -> bool:
    for years in VALIDITY_YEARS:
        try:
            expected = start.replace(year=start.year + years)
        except ValueError:  # issued on 29 February
            expected = start.replace(year=start.year + years, day=28)
        if abs((end - expected).days) <= 1:
            return True
    return False
