"""RapidOCR (PP-OCRv4 detection + recognition on onnxruntime), the optional second engine.

Install with the `rapidocr` extra; its models ship inside the wheel, so nothing is downloaded.
"""
from __future__ import annotations

from dataclasses import replace
from functools import cached_property
from importlib import metadata

import numpy as np
from PIL import Image, ImageOps

from documents.ocr.orient import read_upright
from documents.ocr.tesseract import LINE_PLANS, LinePlan
from documents.ocr.words import Word, group_lines
from documents.types import CharAlternative, DocumentType, OcrLine, OcrPass, OcrReading

PIPELINE = "rapid-p7"  # bump whenever preprocessing or the pass plan changes: it keys the OCR cache
DISTRIBUTION = "rapidocr-onnxruntime"
# Recognition scales every line to 48 px high: beyond this size a page only costs more.
MAX_LONG_SIDE = 2000
# Text lines are found on a copy this large (at 1024 px a letter-spaced 名 of a licence went unseen); the
# recogniser still reads each line from the full-size page.
DETECT_LONG_SIDE = 1280
# The detector's segments are whole words and phrases, their boxes tight: a gap of this many text
# heights between two segments of a row separates columns (a licence's 经营范围 … | 住所 …, 3.1
# heights apart), where tesseract's character boxes need words.COLUMN_GAP.
SEGMENT_COLUMN_GAP = 2.5
# An identifier's line is read again at this height (the recogniser's input is 48 px high).
REREAD_HEIGHT = 64
# A character read below this probability keeps the recogniser's other candidates for its place that reach
# ALTERNATIVE_MIN_PROBABILITY (at most ALTERNATIVES_KEPT): a misread such as 水 for 永 (0.51 / 0.47) can then be
# told from another name by the rules. Above it the character is sure enough that nothing is kept.
UNSURE_BELOW = 0.9
ALTERNATIVE_MIN_PROBABILITY = 0.01
ALTERNATIVES_KEPT = 3


class RapidOcrEngine:
    """`OcrEngine` backed by rapidocr-onnxruntime.

    `threads` limits onnxruntime's intra-op threads: documents are read in parallel across
    cores, so one thread per read avoids oversubscription (the `OMP_THREAD_LIMIT=1` of tesseract).
    """

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads

    @cached_property
    def version(self) -> str:
        return f"rapidocr {metadata.version(DISTRIBUTION)}"

    @property
    def pipeline_version(self) -> str:
        return PIPELINE

    @cached_property
    def _ocr(self):
        try:
            # heavy import, paid only on the path that needs it
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as missing:  # the extra is optional
            raise RuntimeError("ONBOARD_OCR_ENGINE=rapidocr needs the rapidocr extra: "
                               "pip install 'merchant-onboard[rapidocr]'") from missing
        ocr = RapidOCR(intra_op_num_threads=self.threads, inter_op_num_threads=self.threads)
        ocr.text_rec.postprocess_op = _with_alternatives(ocr.text_rec.postprocess_op)
        return ocr

    def read(self, image: Image.Image, document_type: DocumentType) -> OcrReading:
        document_type = DocumentType(document_type)
        oriented = read_upright(image, document_type, lambda page: self._read_page(page, document_type),
                                max_side=MAX_LONG_SIDE)
        return OcrReading(engine=self.version, pipeline_version=self.pipeline_version, passes=oriented.passes)

    def _read_page(self, page: Image.Image, document_type: DocumentType) -> list[OcrPass]:
        lines = self._lines(page)
        passes = [OcrPass(name="page_rapid", lines=lines)]
        for plan in LINE_PLANS.get(document_type, ()):
            if (reread := self._reread(page, lines, plan)) is not None:
                passes.append(reread)
        return passes

    def _reread(self, page: Image.Image, lines: list[OcrLine], plan: LinePlan) -> OcrPass | None:
        """The identifier's line read a second time on its own, enlarged and contrast-stretched: a second
        recognition that agrees with the page's is what lets a clearly printed invalid number be believed
        (extraction trusts two agreeing reads), and a disagreement marks a likely misread."""
        found = [line for line in lines if line.box and plan.finder.search(line.text.replace(" ", ""))]
        if not found:
            return None
        line = max(found, key=lambda candidate: len(plan.finder.search(candidate.text.replace(" ", "")).group()))
        left, top, width, height = line.box
        pad = max(height // 4, 2)
        crop = page.crop((max(left - pad, 0), max(top - pad, 0),
                          min(left + width + pad, page.width), min(top + height + pad, page.height)))
        crop = ImageOps.autocontrast(crop.convert("L"), cutoff=1).convert("RGB")
        if crop.height < REREAD_HEIGHT:
            crop = crop.resize((max(1, round(crop.width * REREAD_HEIGHT / crop.height)), REREAD_HEIGHT),
                               Image.Resampling.LANCZOS)
        texts, _ = self._ocr.text_rec([np.ascontiguousarray(np.asarray(crop)[:, :, ::-1])])
        text, score = texts[0] if texts else ("", 0.0)
        if not text:
            return None
        return OcrPass(name=f"{plan.name}_reread", lines=[OcrLine(
            text=str(text), confidence=min(max(float(score), 0.0), 1.0), box=line.box,
            alternatives=getattr(text, "alternatives", []))])

    def _lines(self, page: Image.Image) -> list[OcrLine]:
        """Text lines found on a small copy (detection cost grows with pixels), read from the full page."""
        ocr = self._ocr
        rgb = page.convert("RGB")
        if max(rgb.size) > MAX_LONG_SIDE:
            rgb.thumbnail((MAX_LONG_SIDE, MAX_LONG_SIDE), Image.Resampling.LANCZOS)
        small = rgb.copy()
        small.thumbnail((DETECT_LONG_SIDE, DETECT_LONG_SIDE), Image.Resampling.BILINEAR)
        # The library works on BGR arrays, as OpenCV reads files.
        boxes, _ = ocr.text_det(np.asarray(small)[:, :, ::-1])
        if boxes is None or len(boxes) == 0:
            return []
        boxes = merged_overlaps(np.asarray(boxes, dtype=np.float32) * np.float32(rgb.width / small.width))
        # No line classifier (0°/180°): a page upside down is turned whole by `read_upright`, keeping its layout.
        texts, _ = ocr.text_rec(ocr.get_crop_img_list(np.ascontiguousarray(np.asarray(rgb)[:, :, ::-1]), boxes))
        scale = page.width / rgb.width
        segments = []
        for quad, (text, score) in zip(boxes, texts):
            if not text or score < ocr.text_score:
                continue
            xs, ys = quad[:, 0] * scale, quad[:, 1] * scale
            left, top = int(xs.min()), int(ys.min())
            segments.append(Word(text=str(text), confidence=min(max(float(score), 0.0), 1.0), left=left, top=top,
                                 width=int(xs.max()) - left, height=int(ys.max()) - top, line_key=(0, 0, 0),
                                 alternatives=tuple(getattr(text, "alternatives", ()))))
        return group_lines(in_rows(segments), column_gap=SEGMENT_COLUMN_GAP)


class _TextWithAlternatives(str):
    """A recognised text that also carries its unsure characters' alternatives through RapidOCR's own code."""

    alternatives: list[CharAlternative]


def _with_alternatives(decoder):
    """RapidOCR's CTC decoder, its texts and scores unchanged, each text also carrying `alternatives`: for every
    character read below UNSURE_BELOW, the other characters the recogniser gave over the frames it spans."""
    decode = decoder.__call__

    def decode_with_alternatives(preds: np.ndarray, *args, **kwargs):
        results = decode(preds, *args, **kwargs)
        for index, result in enumerate(results):
            text = _TextWithAlternatives(result[0])
            text.alternatives = char_alternatives(preds[index], decoder.character)
            results[index] = (text, *result[1:])
        return results

    return decode_with_alternatives


def char_alternatives(frames: np.ndarray, characters: list[str]) -> list[CharAlternative]:
    """The unsure characters of one CTC output (frames x classes, class 0 the blank), as the decoder emits
    them: one character per run of frames whose best class is the same non-blank class."""
    best = frames.argmax(axis=1)
    found: list[CharAlternative] = []
    at, start = 0, 0
    while start < len(best):
        end = start
        while end < len(best) and best[end] == best[start]:
            end += 1
        if best[start] != 0:
            if frames[start:end, best[start]].max() < UNSURE_BELOW:  # most characters are sure: nothing more
                run = frames[start:end].max(axis=0)
                count = min(ALTERNATIVES_KEPT + 2, len(run))  # the blank and the character read among them
                candidates = np.argpartition(-run, count - 1)[:count]
                others = [(characters[i], round(float(run[i]), 3)) for i in candidates[np.argsort(-run[candidates])]
                          if i not in (0, best[start]) and run[i] >= ALTERNATIVE_MIN_PROBABILITY]
                if others:
                    found.append(CharAlternative(at=at, options=dict(others[:ALTERNATIVES_KEPT])))
            at += 1
        start = end
    return found


def merged_overlaps(quads: np.ndarray) -> list[np.ndarray]:
    """Boxes of one row that overlap, joined into one box, so each character is read once.

    The detector sometimes cuts a line inside a character and pads both pieces over the cut; each
    piece then reads the shared glyph (6225 6812 → "6225" + "5681…", 姓名 → 姓名 + 享…). A box
    left alone keeps its own (possibly tilted) outline.
    """
    merged: list[tuple[list[float], np.ndarray | None]] = []  # (left, top, right, bottom), original quad
    for quad in sorted(quads, key=lambda q: float(q[:, 0].min())):
        box = [float(quad[:, 0].min()), float(quad[:, 1].min()), float(quad[:, 0].max()), float(quad[:, 1].max())]
        for index, (kept, _) in enumerate(merged):
            height = min(box[3] - box[1], kept[3] - kept[1])
            # against the taller box: a small line beside a title twice its height is not a piece of the title
            same_row = min(box[3], kept[3]) - max(box[1], kept[1]) > 0.6 * max(box[3] - box[1], kept[3] - kept[1])
            if same_row and box[0] < kept[2] - 0.25 * height:
                union = [min(kept[0], box[0]), min(kept[1], box[1]), max(kept[2], box[2]), max(kept[3], box[3])]
                merged[index] = (union, None)
                break
        else:
            merged.append((box, quad))
    return [quad if quad is not None else
            np.array([[left, top], [right, top], [right, bottom], [left, bottom]], dtype=np.float32)
            for (left, top, right, bottom), quad in merged]


def in_rows(segments: list[Word]) -> list[Word]:
    """Segments numbered by the text row they sit on, as tesseract numbers its words' lines.

    The detector cuts a row wherever letter spacing is wide (名　　称 comes as 名 and 称); rows
    are then assembled and split into fields and columns exactly as tesseract's are.
    """
    rows: list[list[Word]] = []
    for segment in sorted(segments, key=lambda w: w.top + w.height / 2):
        centre = segment.top + segment.height / 2
        for row in rows:
            row_top = min(w.top for w in row)
            row_bottom = max(w.top + w.height for w in row)
            if abs(centre - (row_top + row_bottom) / 2) < 0.5 * min(segment.height, row_bottom - row_top):
                row.append(segment)
                break
        else:
            rows.append([segment])
    return [replace(w, line_key=(1, 1, number)) for number, row in enumerate(rows) for w in row]
