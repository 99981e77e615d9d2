"""Finding labelled values in OCR lines: anchors with OCR tolerance, same-row and wrapped values."""
from __future__ import annotations

import re
from dataclasses import dataclass

from documents.extract.normalize import normalize_text
from documents.types import OcrReading

# Separators and specks the recogniser puts between a label and its value.
_LEADING_JUNK = re.compile(r"^[\s:;,.。、'\"“”|_\-~>》〉)]+")
_TRAILING_JUNK = re.compile(r"[\s:;,.。、'\"“”|_\-~<《〈(]+$")


@dataclass(frozen=True)
class Line:
    """An OCR line normalised for matching, remembering where it came from."""

    text: str  # normalize_text(): half-width, no spaces between CJK characters
    compact: str  # text without any spaces
    confidence: float
    box: tuple[int, int, int, int] | None
    pass_name: str
    index: int  # position within its pass

    @property
    def height(self) -> int:
        return self.box[3] if self.box else 0


@dataclass(frozen=True)
class Labelled:
    """A value found after a label: its text, the line, and how exactly the label matched."""

    value: str
    line: Line
    anchor_exact: bool
    continued: tuple[Line, ...] = ()

    @property
    def confidence(self) -> float:
        lines = (self.line, *self.continued)
        ocr = sum(line.confidence for line in lines) / len(lines)
        return ocr if self.anchor_exact else ocr * 0.85


def passes(reading: OcrReading) -> list[list[Line]]:
    result = []
    for ocr_pass in reading.passes:
        lines = []
        for index, ocr_line in enumerate(ocr_pass.lines):
            text = normalize_text(ocr_line.text)
            if text:
                lines.append(Line(text, text.replace(" ", ""), ocr_line.confidence, ocr_line.box, ocr_pass.name, index))
        result.append(lines)
    return result


def all_lines(reading: OcrReading) -> list[Line]:
    return [line for lines in passes(reading) for line in lines]


def find_anchor(compact: str, anchor: str, *, search_from: int = 0, window: int | None = None) -> tuple[int, int, bool] | None:
    """(start, end, exact) of `anchor` in `compact`, allowing one misread character per four.

    Substitutions only: labels are printed text of known length, and the usual OCR error
    is a similar-looking character (公民号份号码 for 公民身份号码), not a dropped one.
    Two-character labels must match exactly, else every line would contain one.
    """
    exact_at = compact.find(anchor, search_from)
    limit = len(compact) if window is None else min(len(compact), search_from + window + len(anchor))
    if exact_at != -1 and exact_at + len(anchor) <= limit:
        return exact_at, exact_at + len(anchor), True
    allowed = len(anchor) // 4
    if allowed == 0:
        return None
    for start in range(search_from, limit - len(anchor) + 1):
        candidate = compact[start:start + len(anchor)]
        mismatches = sum(a != b for a, b in zip(candidate, anchor))
        # The first and last characters must agree, so a label is not found inside ordinary text.
        if mismatches <= allowed and (candidate[0] == anchor[0] or candidate[-1] == anchor[-1]):
            return start, start + len(anchor), False
    return None


def labelled_values(
    lines: list[Line], anchors: tuple[str, ...], stop_labels: tuple[str, ...], *, window: int = 4,
) -> list[Labelled]:
    """Every value introduced by one of `anchors` (tried in order) near the start of a line.

    The value ends where another label of the same document starts (性别男民族汉 → 男); an
    anchor standing alone takes the segment to its right on the same row.
    """
    found = []
    for line in lines:
        for anchor in anchors:
            hit = find_anchor(line.compact, anchor, window=window)
            if hit is None:
                continue
            value = cut_at_labels(line.compact[hit[1]:], stop_labels)
            if not value:
                neighbour = right_neighbour(line, lines)
                if neighbour is not None:
                    value = cut_at_labels(neighbour.compact, stop_labels)
            found.append(Labelled(value, line, hit[2]))
            break
    return found


def cut_at_labels(text: str, labels: tuple[str, ...]) -> str:
    text = _LEADING_JUNK.sub("", text)
    end = len(text)
    for label in labels:
        hit = find_anchor(text, label)
        if hit is not None and hit[0] > 0:
            end = min(end, hit[0])
    return _TRAILING_JUNK.sub("", text[:end])


def right_neighbour(line: Line, lines: list[Line]) -> Line | None:
    """The nearest segment to the right of `line` on the same row of the same pass."""
    if line.box is None:
        return None
    left, top, width, height = line.box
    best = None
    for other in lines:
        if other is line or other.box is None or other.pass_name != line.pass_name:
            continue
        o_left, o_top, _, o_height = other.box
        overlap = min(top + height, o_top + o_height) - max(top, o_top)
        if o_left >= left + width and overlap > 0.5 * min(height, o_height):
            if best is None or o_left < best.box[0]:
                best = other
    return best


def continuation_lines(start: Line, lines: list[Line], stop_labels: tuple[str, ...], max_lines: int = 3) -> list[Line]:
    """Lines that continue a wrapped value, directly below it and not labelled themselves.

    Forms indent the continuation under the value (ID card, licence columns); running text
    (a lease) wraps to the margin, which is only a continuation if the line above was full.
    """
    if start.box is None:
        return []
    same_pass = [other for other in lines if other.box is not None and other.pass_name == start.pass_name]
    page_right = max(other.box[0] + other.box[2] for other in same_pass)
    left, _, width, height = start.box
    result: list[Line] = []
    previous = start
    for _ in range(max_lines):
        prev_left, prev_top, prev_width, prev_height = previous.box
        prev_full = prev_left + prev_width >= page_right - 2 * height
        below = [
            other for other in same_pass
            if other is not previous
            and -0.3 * height <= other.box[1] - (prev_top + prev_height) <= height
            and (left + 0.8 * height <= other.box[0] < left + width or prev_full and abs(other.box[0] - left) < height)
        ]
        if not below:
            break
        nxt = min(below, key=lambda other: other.box[1])
        if _looks_labelled(nxt.compact, stop_labels):
            break
        result.append(nxt)
        previous = nxt
    return result


def _looks_labelled(compact: str, labels: tuple[str, ...]) -> bool:
    if any(find_anchor(compact, label, window=2) for label in labels):
        return True
    colon = compact.find(":")
    return 0 < colon <= 8
