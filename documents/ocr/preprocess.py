"""Image preparation before recognition: grey levels, contrast and a scale Tesseract reads well."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter, ImageOps, ImageStat

from documents.types import DocumentType

# Long-side pixel counts at which each document's text is about 30 px high, the size the
# LSTM models were trained on: an ID card at 300 dpi, an A4 page at ~150 dpi.
TARGET_LONG_SIDE: dict[DocumentType, int] = {
    DocumentType.ID_CARD_FRONT: 1060,
    DocumentType.ID_CARD_BACK: 1060,
    DocumentType.BANK_CARD: 1060,
    DocumentType.BUSINESS_LICENSE: 1600,
    DocumentType.ADDRESS_PROOF: 1400,
}
DEFAULT_LONG_SIDE = 1400
# Edge strength (see `edge_strength`) below which an image counts as soft and is sharpened:
# crisp renders measure 325-450, flatbed scans 130-290, phone photos 80-210. Sharpening soft
# scans lifted bill fields from 72 % to 89 %; sharpening crisp images cost a few fields.
SOFT_EDGES = 310
# Phone photos arrive at 4000 px and more; beyond this, recognition only gets slower.
MAX_LONG_SIDE = 2600
# psm 6 reads rows: a page tilted by 1.5° over 1400 px drifts a whole line, so tilt is removed first.
MAX_SKEW_DEGREES = 4.0
# A dark run at least this share of the page wide, one pixel row high, is a ruled line, not text.
RULE_MIN_SHARE = 0.25
RULE_BORDER_SHARE = 0.07
SKEW_STEP_DEGREES = 0.25


def prepare_page(image: Image.Image, document_type: DocumentType) -> Image.Image:
    """Greyscale, contrast-stretched, rescaled (small up, huge down), sharpened if soft, deskewed."""
    grey = image.convert("L")
    grey = ImageOps.autocontrast(grey, cutoff=1)
    soft = edge_strength(grey) < SOFT_EDGES
    long_side = max(grey.size)
    target = TARGET_LONG_SIDE.get(document_type, DEFAULT_LONG_SIDE)
    if long_side < target:
        grey = _scaled(grey, target / long_side)
    elif long_side > MAX_LONG_SIDE:
        grey = _scaled(grey, MAX_LONG_SIDE / long_side)
    if soft:
        grey = grey.filter(ImageFilter.UnsharpMask(radius=2, percent=120, threshold=2))
    return without_rules(deskewed(grey))


def without_rules(grey: Image.Image) -> Image.Image:
    """Long horizontal rules (a bill's table lines) painted over with the paper's grey.

    With psm 6, Tesseract takes a rule running just above or below a row of text for part of
    that row and reads the whole row as one or two junk glyphs. No stroke of a character is
    anywhere near RULE_MIN_SHARE of a page wide, so what is removed is never text.
    """
    pixels = np.asarray(grey, dtype=np.uint8)
    dark = pixels < min(int(pixels.mean()) - 40, 160)
    length = max(int(grey.width * RULE_MIN_SHARE), 8)
    runs = np.cumsum(dark, axis=1, dtype=np.int32)
    full = np.zeros_like(dark)
    full[:, length - 1:] = (runs[:, length - 1:] - np.pad(runs, ((0, 0), (1, 0)))[:, :-length]) == length
    if not full.any():
        return grey
    # Every pixel of a full window is rule; widen by a pixel up and down for its anti-aliased edges.
    starts = np.cumsum(full[:, ::-1], axis=1)[:, ::-1]
    covered = (starts - np.pad(starts, ((0, 0), (0, length)))[:, length:]) > 0
    covered[1:] |= covered[:-1].copy()
    covered[:-1] |= covered[1:].copy()
    # A border drawn round the page sits next to no text row; removing it changes Tesseract's page
    # layout for the worse (measured: a licence's frame, gone, cost a character of a name).
    border = int(grey.height * RULE_BORDER_SHARE)
    covered[:border] = covered[grey.height - border:] = False
    paper = int(np.median(pixels))
    return Image.fromarray(np.where(covered, paper, pixels).astype(np.uint8))


def edge_strength(grey: Image.Image) -> float:
    """How crisp the sharpest edges are: the 99.9th percentile of the Laplacian's magnitude.

    A high percentile looks at text strokes only, whatever the share of text, photo or
    flat colour on the page.
    """
    small = grey.copy()
    small.thumbnail((1600, 1600))
    a = np.asarray(small, dtype=np.float32)
    laplacian = np.abs(4 * a[1:-1, 1:-1] - a[:-2, 1:-1] - a[2:, 1:-1] - a[1:-1, :-2] - a[1:-1, 2:])
    return float(np.percentile(laplacian, 99.9))


def deskewed(grey: Image.Image) -> Image.Image:
    angle = estimate_skew(grey)
    if abs(angle) < SKEW_STEP_DEGREES:
        return grey
    background = int(ImageStat.Stat(grey).median[0])
    return grey.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=background)


def estimate_skew(grey: Image.Image) -> float:
    """Rotation (degrees, counter-clockwise) that makes text rows horizontal.

    Projection profile: when rows are level, ink concentrates in few pixel rows and the
    row sums vary most. Measured on a small copy, so it costs milliseconds.
    """
    small = grey.copy()
    small.thumbnail((700, 700))
    pixels = np.asarray(small, dtype=np.float32)
    ink = Image.fromarray(((pixels < pixels.mean() - pixels.std()) * 255).astype(np.uint8))
    best_angle, best_score = 0.0, -1.0
    for angle in np.arange(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES + 1e-9, SKEW_STEP_DEGREES):
        rows = np.asarray(ink.rotate(float(angle), resample=Image.Resampling.NEAREST), dtype=np.float32).sum(axis=1)
        score = float(np.square(np.diff(rows)).sum())
        if score > best_score:
            best_angle, best_score = float(angle), score
    return best_angle


def prepare_line(image: Image.Image, box: tuple[int, int, int, int], text_height: int) -> Image.Image:
    """Crop one text line with a white margin, scaled so its characters are ~40 px high."""
    left, top, width, height = box
    pad_x, pad_y = text_height, max(text_height // 2, 6)
    crop = image.crop((max(left - pad_x, 0), max(top - pad_y, 0),
                       min(left + width + pad_x, image.width), min(top + height + pad_y, image.height)))
    if text_height and not 32 <= text_height <= 56:
        crop = _scaled(crop, 40 / text_height)
    background = int(ImageStat.Stat(crop).median[0])  # mostly paper: the text covers a minority of pixels
    return ImageOps.expand(crop, border=12, fill=background)


def _scaled(image: Image.Image, factor: float) -> Image.Image:
    size = (max(int(image.width * factor), 1), max(int(image.height * factor), 1))
    return image.resize(size, Image.Resampling.LANCZOS)
