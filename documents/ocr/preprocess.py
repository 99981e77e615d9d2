"""Image preparation before recognition: grey levels, contrast and a scale Tesseract reads well."""
from __future__ import annotations

from PIL import Image, ImageOps, ImageStat

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
# Phone photos arrive at 4000 px and more; beyond this, recognition only gets slower.
MAX_LONG_SIDE = 2600


def prepare_page(image: Image.Image, document_type: DocumentType) -> Image.Image:
    """Greyscale, contrast-stretched, upscaled when small and downscaled when huge."""
    grey = ImageOps.exif_transpose(image).convert("L")
    grey = ImageOps.autocontrast(grey, cutoff=1)
    long_side = max(grey.size)
    target = TARGET_LONG_SIDE.get(document_type, DEFAULT_LONG_SIDE)
    if long_side < target:
        return _scaled(grey, target / long_side)
    if long_side > MAX_LONG_SIDE:
        return _scaled(grey, MAX_LONG_SIDE / long_side)
    return grey


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
