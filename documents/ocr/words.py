"""Tesseract word boxes and how they are assembled into `OcrLine`s."""
from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean

from documents.extract.normalize import is_cjk
from documents.types import CharAlternative, OcrLine

# A horizontal gap wider than this many text heights separates fields (label | value, or two
# columns) rather than characters of one word; it is kept as a space even between Chinese text.
FIELD_GAP = 1.2
# Wider gaps than this separate columns (or text from a photo): the line is split into
# separate `OcrLine`s there so that each keeps its own box. Generous, because chi_sim's
# word boxes can be off by a character width.
COLUMN_GAP = 3.5
# Words taller than this many times their line's typical height are pictures read as glyphs.
OUTSIZED = 2.5


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float  # 0..1
    left: int
    top: int
    width: int
    height: int
    line_key: tuple[int, int, int]  # (block, paragraph, line) as numbered by Tesseract
    alternatives: tuple[CharAlternative, ...] = ()  # indexed into `text` (RapidOCR's recogniser gives them)


def words_from_data(data: dict[str, list]) -> list[Word]:
    """Words of a pytesseract `image_to_data(..., output_type=DICT)` result; layout rows are skipped."""
    words = []
    for i, text in enumerate(data["text"]):
        conf = float(data["conf"][i])
        text = (text or "").strip()
        if not text or conf < 0:
            continue
        words.append(Word(
            text=text,
            confidence=min(max(conf / 100, 0.0), 1.0),
            left=int(data["left"][i]), top=int(data["top"][i]),
            width=int(data["width"][i]), height=int(data["height"][i]),
            line_key=(int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i])),
        ))
    return words


def group_lines(words: list[Word], column_gap: float = COLUMN_GAP) -> list[OcrLine]:
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        lines.setdefault(word.line_key, []).append(word)
    result = []
    for line_words in lines.values():
        for part in _split_outsized(line_words):
            result.extend(_line(segment) for segment in _split_columns(part, column_gap))
    return result


def _split_columns(words: list[Word], column_gap: float) -> list[list[Word]]:
    words = sorted(words, key=lambda w: w.left)
    typical = _typical_height(words)
    segments = [[words[0]]]
    for previous, word in zip(words, words[1:]):
        if word.left - (previous.left + previous.width) > column_gap * typical:
            segments.append([])
        segments[-1].append(word)
    return segments


def _typical_height(words: list[Word]) -> int:
    """Median word height: robust to flat glyphs (一) and to the odd outsized blob."""
    return max(sorted(w.height for w in words)[len(words) // 2], 1)


def _split_outsized(words: list[Word]) -> list[list[Word]]:
    """Words far taller than their line (a photo or emblem read as a glyph) become lines of their own.

    Tesseract otherwise appends such a "word" to whichever text line it overlaps, and the
    junk character would end up inside a name or an address.
    """
    if len(words) < 3:
        return [words]
    typical = _typical_height(words)
    regular = [w for w in words if w.height <= OUTSIZED * typical]
    outsized = [[w] for w in words if w.height > OUTSIZED * typical]
    return ([regular] if regular else []) + outsized


def _line(line_words: list[Word]) -> OcrLine:
    line_words = sorted(line_words, key=lambda w: w.left)
    left = min(w.left for w in line_words)
    top = min(w.top for w in line_words)
    right = max(w.left + w.width for w in line_words)
    bottom = max(w.top + w.height for w in line_words)
    text, alternatives = _joined(line_words)
    return OcrLine(
        text=text,
        confidence=fmean(w.confidence for w in line_words),
        box=(left, top, right - left, bottom - top),
        alternatives=alternatives,
    )


def _joined(words: list[Word]) -> tuple[str, list[CharAlternative]]:
    """The line's text and its words' alternatives moved to where each word now starts. chi_sim returns each
    Chinese character as a word: glue those, keep spaces between Latin/digit words."""
    if not words:
        return "", []
    text_height = _typical_height(words)
    parts = [words[0].text]
    alternatives = list(words[0].alternatives)
    length = len(words[0].text)
    for previous, word in zip(words, words[1:]):
        gap = word.left - (previous.left + previous.width)
        touching_cjk = is_cjk(previous.text[-1]) or is_cjk(word.text[0])
        if gap > FIELD_GAP * text_height or not touching_cjk:
            parts.append(" ")
            length += 1
        parts.append(word.text)
        alternatives += [alternative.model_copy(update={"at": alternative.at + length})
                         for alternative in word.alternatives]
        length += len(word.text)
    return "".join(parts), alternatives
