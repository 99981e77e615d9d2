"""Text normalisation for OCR output and user-entered values (names, addresses, numbers).

Tesseract's chi_sim model emits a space between every pair of Chinese characters and
mixes full-width and half-width forms; comparing anything with OCR text therefore goes
through these helpers first.
"""
from __future__ import annotations

import re
import unicodedata

# CJK ideographs (incl. extension A and compatibility) and CJK/full-width punctuation.
_CJK_CLASS = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_RE = re.compile(f"[{_CJK_CLASS}]")
_SPACE_NEXT_TO_CJK = re.compile(rf"(?<=[{_CJK_CLASS}])\s+|\s+(?=[{_CJK_CLASS}])")
# Marks the recogniser invents from specks and ruling lines next to labels.
_OCR_NOISE = re.compile(r"[“”\"‘’'`|_~^«»]")


def is_cjk(char: str) -> bool:
    return bool(_CJK_RE.match(char))


def to_halfwidth(text: str) -> str:
    """Full-width ASCII variants (ＡＢＣ１２３：（）) to their ASCII forms; the ideographic space to a space.

    Uses NFKC, which also folds look-alike compatibility ideographs (Kangxi radicals) that
    OCR sometimes returns onto the ordinary characters.
    """
    return unicodedata.normalize("NFKC", text).replace("\u3000", " ")


def remove_cjk_spaces(text: str) -> str:
    """Drop whitespace that touches a CJK character ("王 昌 良" → "王昌良"), keep it between Latin/digit runs."""
    return _SPACE_NEXT_TO_CJK.sub("", text)


def collapse_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def normalize_text(text: str) -> str:
    """Half-width forms, no OCR quote noise, no spaces between Chinese characters, single spaces elsewhere."""
    text = to_halfwidth(text)
    text = _OCR_NOISE.sub(" ", text)
    return collapse_spaces(remove_cjk_spaces(collapse_spaces(text)))


def compact(text: str) -> str:
    """Normalised and without any whitespace, for comparing identifiers and addresses."""
    return re.sub(r"\s+", "", normalize_text(text))
