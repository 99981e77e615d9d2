"""Finding labelled values in OCR lines: anchors with OCR tolerance, same-row and wrapped values."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from documents.extract.normalize import normalize_text
from documents.types import OcrReading

# Separators and specks the recogniser puts between a label and its value.
_LEADING_JUNK = re.compile(r"^[\s:;,.。、'\"“”|_\-~>》〉)]+")
_TRAILING_JUNK = re.compile(r"[\s:;,.。、'\"“”|_\-~<《〈(]+$")
# A segment this many times taller than the text it would continue is not more of that text.
TALLER_THAN_TEXT = 1.8


@dataclass(frozen=True)
class Line:
    """An OCR line normalised for matching, remembering where it came from."""

    text: str  # normalize_text(): half-width, no spaces between CJK characters
    compact: str  # text without any spaces
    confidence: float
    box: tuple[int, int, int, int] | None
    pass_name: str


@dataclass(frozen=True)
class Labelled:
    """A value found after a label: its text, the line, and how exactly the label matched."""

    value: str
    line: Line  # the line holding the label
    anchor_exact: bool
    value_line: Line | None = None  # a separate segment to the right holding the value, if any

    @property
    def confidence(self) -> float:
        lines = (self.line,) if self.value_line is None else (self.line, self.value_line)
        ocr = sum(line.confidence for line in lines) / len(lines)
        return ocr if self.anchor_exact else ocr * 0.85

    def continuation(self, lines: list[Line], stop_labels: tuple[str, ...]) -> list[Line]:
        """The wrapped rest of the value, below the value's own segment."""
        if self.value_line is not None:
            return continuation_lines(self.value_line, lines, stop_labels, aligned=True)
        return continuation_lines(self.line, lines, stop_labels)


def passes(reading: OcrReading) -> list[list[Line]]:
    result = []
    for ocr_pass in reading.passes:
        lines = []
        for ocr_line in ocr_pass.lines:
            text = normalize_text(ocr_line.text)
            if text:
                lines.append(Line(text, text.replace(" ", ""), ocr_line.confidence, ocr_line.box, ocr_pass.name))
        result.append(lines)
    return result


def all_lines(reading: OcrReading) -> list[Line]:
    return [line for lines in passes(reading) for line in lines]


def find_anchor(compact: str, anchor: str, *, window: int | None = None) -> tuple[int, int, bool] | None:
    """(start, end, exact) of `anchor` in `compact`, allowing one misread character per four.

    Punctuation is ignored on both sides (名,称 and 承租方〈乙方) still match). Substitutions
    only: labels are printed text of known length, and the usual OCR error is a similar-looking
    character (公民号份号码 for 公民身份号码), not a dropped one. Labels of two or three
    characters must match exactly, else ordinary text would be taken for them.
    `window` limits how many characters may precede the label.
    """
    view, index = _label_view(compact)
    label, _ = _label_view(anchor)
    if not label or len(view) < len(label):
        return None
    last_start = len(view) - len(label) if window is None else min(len(view) - len(label), window)
    exact_at = view.find(label, 0, last_start + len(label))
    if exact_at != -1:
        return _span(index, exact_at, len(label)) + (True,)
    allowed = len(label) // 4
    if allowed == 0:
        return None
    for start in range(0, last_start + 1):
        candidate = view[start:start + len(label)]
        mismatches = sum(a != b for a, b in zip(candidate, label))
        # The first or last character must agree, so a label is not found inside ordinary text.
        if mismatches <= allowed and (candidate[0] == label[0] or candidate[-1] == label[-1]):
            return _span(index, start, len(label)) + (False,)
    return None


def _label_view(text: str) -> tuple[str, list[int]]:
    """Letters, digits and CJK characters of `text`, with their positions in it."""
    kept = [(i, c) for i, c in enumerate(text) if c.isalnum()]
    return "".join(c for _, c in kept), [i for i, _ in kept]


def _span(index: list[int], start: int, length: int) -> tuple[int, int]:
    return index[start], index[start + length - 1] + 1


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
            neighbour = None
            if not value:
                neighbour = right_neighbour(line, lines)
                if neighbour is not None and _starts_with_label(neighbour.compact, stop_labels):
                    neighbour = None  # the next field's label: this field's value is missing
                if neighbour is not None:
                    value = cut_at_labels(neighbour.compact, stop_labels)
            found.append(Labelled(value, line, hit[2], neighbour))
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
    """The nearest segment to the right of `line` on the same row of the same pass.

    Boxes of neighbouring segments may overlap a little (detectors pad their boxes), so a
    segment starting up to half a text height inside `line`'s box still counts as to its right.
    """
    if line.box is None:
        return None
    left, _, width, height = line.box
    best = None
    for other in lines:
        if other is line or other.box is None or other.pass_name != line.pass_name:
            continue
        o_left, _, _, o_height = other.box
        if (o_left >= left + width - 0.5 * min(height, o_height) and o_left > left + width / 2
                and _overlap(line.box, other.box) > 0.5 * min(height, o_height)):
            if best is None or o_left < best.box[0]:
                best = other
    return best


def continuation_lines(
    start: Line, lines: list[Line], stop_labels: tuple[str, ...], *, aligned: bool = False, max_rows: int = 3,
) -> list[Line]:
    """Segments that continue a wrapped value, row by row below it, left to right within a row.

    Forms indent the continuation under the value, past the label (ID card, licence columns);
    `aligned` says `start` holds the value alone, so the continuation starts under its left edge.
    Running text (a lease) wraps to the margin, only a continuation if the row above was full.
    """
    if start.box is None:
        return []
    same_pass = [other for other in lines if other.box is not None and other.pass_name == start.pass_name]
    page_right = max(other.box[0] + other.box[2] for other in same_pass)
    left, _, width, height = start.box
    indent = -1.0 * height if aligned else 0.8 * height
    result: list[Line] = []
    row_bottom, row_right = start.box[1] + height, left + width
    for _ in range(max_rows):
        row_full = row_right >= page_right - 2 * height
        below = [
            other for other in same_pass
            if other is not start and other not in result
            and other.box[3] <= TALLER_THAN_TEXT * height  # a watermark or stamp across the value
            and -0.5 * height <= other.box[1] - row_bottom <= height  # a tilted photo: rows overlap a little
            and (left + indent <= other.box[0] < left + width or row_full and abs(other.box[0] - left) < height)
        ]
        if not below:
            break
        first = min(below, key=lambda other: other.box[1])
        # on the row: overlapping it by half a height (a small photo's next row can touch it by a pixel)
        row = sorted((o for o in below if _overlap(o.box, first.box) > 0.5 * min(o.box[3], first.box[3])),
                     key=lambda other: other.box[0])
        if _looks_labelled(row[0].compact, stop_labels):
            break
        result.extend(row)
        row_bottom = max(o.box[1] + o.box[3] for o in row)
        row_right = max(o.box[0] + o.box[2] for o in row)
    return result


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> int:
    """Vertical overlap of two boxes, in pixels."""
    return min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])


def _starts_with_label(compact: str, labels: tuple[str, ...]) -> bool:
    return any(find_anchor(compact, label, window=0) for label in labels)


def _looks_labelled(compact: str, labels: tuple[str, ...]) -> bool:
    if any(find_anchor(compact, label, window=2) for label in labels):
        return True
    colon = compact.find(":")
    return 0 < colon <= 8


def rejoin_spaced_labels(
    lines: list[Line], labels: tuple[str, ...], value_shapes: dict[str, Callable[[str], bool]] | None = None,
) -> list[Line]:
    """Lines whose letter-spaced label (名　　称, 住　　所, 经 营 场 所) the detector cut apart, made whole.

    The detector returns the label's first character as a segment of its own (名), or the first
    characters of several rows as one tall segment (名类住), and glues the rest of the label to the
    value (称北京…, 营场所深圳…). Such a line gets its first character back when that character stands to
    its left on the same row, or when what follows has the shape of the field's values (`value_shapes`
    by label: a place name after 所): the rest of a label rarely starts other text.
    """
    by_second = {label[1]: label for label in labels if len(label) == 2}
    by_rest = sorted(((label[1:], label) for label in labels if len(label) >= 2), key=lambda pair: -len(pair[0]))
    firsts = {label[0] for label in by_second.values()}
    shapes = value_shapes or {}
    result = []
    for line in lines:
        line = _without_glued_label_column(line, by_second, firsts)
        line = _with_second_character_lost(line, lines, by_second, shapes)
        label = next((label for tail, label in by_rest if line.compact.startswith(tail)), None)
        rest = line.compact[len(label) - 1:] if label else ""
        if label is not None and rest and (
                first_character_left(line, label[0], lines) or shapes.get(label, _never)(rest)):
            box = line.box
            if box is not None:  # the label's first character sits about one text height further left
                box = (max(box[0] - box[3], 0), box[1], box[2] + min(box[3], box[0]), box[3])
            line = replace(line, text=label[0] + line.text, compact=label[0] + line.compact, box=box)
        result.append(line)
    return result


def _without_glued_label_column(line: Line, by_second: dict[str, str], firsts: set[str]) -> Line:
    """名类称青岛… → 名称青岛…: the column of the rows' first label characters (名类) read into this row's line,
    before the second character of the row's own label (称). Only a run of two or more first characters that
    holds the label's own first character: one alone is the label itself (名称…). The column of second
    characters can follow it (名类住型所江西… → 住所江西…): the row's own label is the last of those."""
    compact = line.compact
    run = 0
    while run < len(compact) and compact[run] in firsts:
        run += 1
    end = run
    while end < len(compact) and (label := by_second.get(compact[end])) is not None and label[0] in compact[:run]:
        end += 1
    if run < 2 or end == run:
        return line
    fixed = by_second[compact[end - 1]] + compact[end:]
    return replace(line, text=fixed, compact=fixed)


def _with_second_character_lost(line: Line, lines: list[Line], by_second: dict[str, str],
                                 shapes: dict[str, Callable[[str], bool]]) -> Line:
    """名孝感齐天网络有限公司 → 名称孝感…: the label's first character then a value of the field's shape, the
    second character lost (read into a watermark's segment). Only when the line starts in the column of
    first characters, left of the rows whose line starts with their second character (型…, 所…): a name
    that itself starts with 名 (名创优品…) starts in the value column."""
    label = next((label for label in by_second.values() if label[0] == line.compact[:1]), None)
    if (label is None or line.compact.startswith(label) or line.box is None
            or not shapes.get(label, _never)(line.compact[1:])):
        return line
    left, top, _, height = line.box
    beside = [other for other in lines if other is not line and other.box is not None
              and other.pass_name == line.pass_name and other.compact[:1] in by_second
              and abs(other.box[1] - top) < 4 * height]
    if not any(other.box[0] > left + height for other in beside):
        return line
    return replace(line, text=label + line.text[1:], compact=label + line.compact[1:])


def _never(_: str) -> bool:
    return False


def first_character_left(line: Line, char: str, lines: list[Line]) -> bool:
    """Whether `char` stands alone (or in a column of label characters) left of `line`, on its row."""
    if line.box is None:
        index = next((i for i, other in enumerate(lines) if other is line), 0)
        return index > 0 and lines[index - 1].compact == char
    left, top, _, height = line.box
    for other in lines:
        if other is line or other.box is None or other.pass_name != line.pass_name:
            continue
        o_left, o_top, o_width, o_height = other.box
        if char not in other.compact or len(other.compact) > 4:
            continue
        if o_left + o_width > left + 0.5 * height or left - (o_left + o_width) > 12 * height:
            continue
        if o_height > 1.5 * height:  # a column of first characters: this one must be at this row's height
            rows = len(other.compact)
            centre = o_top + (other.compact.index(char) + 0.5) * o_height / rows
            if abs(centre - (top + height / 2)) < 0.75 * max(height, o_height / rows):
                return True
        elif _overlap(line.box, other.box) > 0.5 * min(height, o_height):
            return True
    return False


def split_before_labels(
    lines: list[Line], labels: tuple[str, ...], accepts: Callable[[str, str], bool], *, after: int = 4,
) -> list[Line]:
    """Lines that run two columns together (经营范围…后方可住所山东省…) cut before the second column's label.

    Only a label found exactly, more than `after` characters into the line, and whose following text
    `accepts(label, value)` starts a segment; the new segment's box is the line's, cut in proportion
    to the characters (CJK characters are of one width).
    """
    result = []
    for line in lines:
        cut = None
        for label in labels:
            hit = find_anchor(line.compact, label)
            if hit is not None and hit[2] and hit[0] > after and accepts(label, line.compact[hit[1]:]):
                cut = hit[0] if cut is None else min(cut, hit[0])
        if cut is None:
            result.append(line)
            continue
        head, tail = line.compact[:cut], line.compact[cut:]
        head_box = tail_box = line.box
        if line.box is not None:
            left, top, width, height = line.box
            split = round(width * cut / len(line.compact))
            head_box, tail_box = (left, top, split, height), (left + split, top, width - split, height)
        result += [replace(line, text=head, compact=head, box=head_box),
                   replace(line, text=tail, compact=tail, box=tail_box)]
    return result
