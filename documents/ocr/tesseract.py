"""Tesseract through pytesseract: the document cropped and turned upright (`orient`), one full-page
pass, targeted re-reads of identifier lines."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cached_property

import pytesseract
from PIL import Image, ImageOps

from documents.ocr.orient import read_upright
from documents.ocr.preprocess import MAX_LONG_SIDE, prepare_line, prepare_page
from documents.ocr.words import Word, group_lines, words_from_data
from documents.types import DocumentType, OcrPass, OcrReading
from documents.checksums import USCC_ALPHABET

PIPELINE = "tess-p5"  # bump whenever preprocessing or the pass plan changes: it keys the OCR cache


@dataclass(frozen=True)
class LinePlan:
    """A targeted re-read: find the line whose text matches `finder` and read it again restricted to `charset`."""

    name: str
    finder: re.Pattern[str]
    charset: str
    lang: str = "eng"


# Page segmentation: every document is read as one block of rows (psm 6), which keeps a label
# and its value on one line. Automatic layout (psm 3) split the licence's letter-spaced labels
# (名　　称) into columns of their own and lost them; its two real columns are separated
# afterwards, at wide gaps within a row (words.COLUMN_GAP).
PAGE_PSM: dict[DocumentType, int] = {document_type: 6 for document_type in DocumentType}

LINE_PLANS: dict[DocumentType, tuple[LinePlan, ...]] = {
    # Finders accept the page pass's usual misreadings (O for 0, l for 1): finding the line is
    # enough, the re-read gets the characters right.
    DocumentType.ID_CARD_FRONT: (LinePlan("id_number_digits", re.compile(r"[0-9OoIl|Xx]{15,}"), "0123456789X"),),
    DocumentType.BANK_CARD: (LinePlan("card_number_digits", re.compile(r"6[0-9OoIl|]{13,}|[0-9OoIl|]{15,}"),
                                      "0123456789 "),),
    DocumentType.BUSINESS_LICENSE: (LinePlan("uscc_chars", re.compile(r"[0-9A-Za-z]{15,}"), USCC_ALPHABET),),
}


class TesseractEngine:
    """`OcrEngine` backed by the tesseract binary (chi_sim for pages, eng for identifier lines).

    chi_sim alone reads the pages: with chi_sim+eng Tesseract picks the English model for
    Chinese words it is unsure of and returns Latin gibberish for whole words (measured
    on the sample documents); chi_sim already contains digits and Latin letters.
    """

    def __init__(self, page_lang: str = "chi_sim", tesseract_cmd: str | None = None, timeout_s: float = 60) -> None:
        self.page_lang = page_lang
        self.timeout_s = timeout_s
        if tesseract_cmd:
            pytesseract.pytesseract.tesseract_cmd = tesseract_cmd

    @cached_property
    def version(self) -> str:
        return f"tesseract {pytesseract.get_tesseract_version()}"

    @property
    def pipeline_version(self) -> str:
        return f"{PIPELINE}:{self.page_lang}"

    def read(self, image: Image.Image, document_type: DocumentType) -> OcrReading:
        # Tesseract's OpenMP threads fight each other when documents are read in parallel.
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        document_type = DocumentType(document_type)
        oriented = read_upright(ImageOps.exif_transpose(image), document_type,
                                lambda page: self._passes(page, document_type), max_side=MAX_LONG_SIDE)
        return OcrReading(engine=self.version, pipeline_version=self.pipeline_version, passes=oriented.passes)

    def _passes(self, image: Image.Image, document_type: DocumentType) -> list[OcrPass]:
        page = prepare_page(image, document_type)
        psm = PAGE_PSM[document_type]
        page_words = self._words(page, self.page_lang, f"--psm {psm}")
        passes = [OcrPass(name=f"page_{self.page_lang}_psm{psm}", lines=group_lines(page_words))]
        for plan in LINE_PLANS.get(document_type, ()):
            targeted = self._reread_line(page, page_words, plan)
            if targeted is not None:
                passes.append(targeted)
        return passes

    def _reread_line(self, page: Image.Image, page_words: list[Word], plan: LinePlan) -> OcrPass | None:
        matching = _words_matching(page_words, plan.finder)
        if not matching:
            return None
        box = _union_box(matching)
        text_height = max(sorted(w.height for w in matching)[len(matching) // 2], 1)
        crop = prepare_line(page, box, text_height)
        # Quoted so a space can be whitelisted: without it Tesseract fuses the digit groups into
        # one word and reports confidence 0 for it.
        config = f'--psm 7 -c "tessedit_char_whitelist={plan.charset}"'
        words = self._words(crop, plan.lang, config)
        return OcrPass(name=plan.name, lines=group_lines(words))

    def _words(self, image: Image.Image, lang: str, config: str) -> list[Word]:
        data = pytesseract.image_to_data(
            image, lang=lang, config=config, output_type=pytesseract.Output.DICT, timeout=self.timeout_s
        )
        return words_from_data(data)


def _words_matching(words: list[Word], finder: re.Pattern[str]) -> list[Word] | None:
    """The words that spell the longest match of `finder` within one line (without its neighbours)."""
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        lines.setdefault(word.line_key, []).append(word)
    best: list[Word] | None = None
    best_len = 0
    for line in lines.values():
        line = sorted(line, key=lambda w: w.left)
        starts, text = [], ""
        for word in line:
            starts.append(len(text))
            text += word.text
        for match in finder.finditer(text):
            if len(match.group()) > best_len:
                best_len = len(match.group())
                best = [w for w, start in zip(line, starts)
                        if start < match.end() and start + len(w.text) > match.start()]
    return best


def _union_box(words: list[Word]) -> tuple[int, int, int, int]:
    left = min(w.left for w in words)
    top = min(w.top for w in words)
    right = max(w.left + w.width for w in words)
    bottom = max(w.top + w.height for w in words)
    return left, top, right - left, bottom - top
