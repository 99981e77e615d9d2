"""The intake gate: decide from the bytes alone whether an upload is an image we can work with.

Pure: bytes and limits in, an `Inspection` (or `IntakeRefused`) out. Nothing is stored here; a
refused file must change nothing, so callers store only what this function returned for.
Thresholds come in through `IntakeLimits`, filled by the caller from settings and rules.
"""
from __future__ import annotations

import hashlib
import re
import threading
from contextlib import contextmanager
from enum import StrEnum
from io import BytesIO
from typing import Any, Literal

import numpy as np
from PIL import Image, ImageOps
from pydantic import BaseModel, ConfigDict, Field, PositiveInt

from documents.classify import appearance
from documents.pdf_pages import PdfRefused, render_first_page
from documents.quality import blur_score
from documents.sniffing import (
    ACCEPTED_MEDIA_TYPES,
    JPEG,
    PDF,
    PNG,
    SNIFF_BYTES,
    WEBP,
    find_polyglot_problem,
    sniff_media_type,
)
from documents.types import LANDSCAPE_DOCUMENT_TYPES, DocumentType

__all__ = [
    "ACCEPTED_MEDIA_TYPES",
    "IntakeCode",
    "IntakeFinding",
    "IntakeLimits",
    "IntakeRefused",
    "Inspection",
    "decode_document",
    "inspect_upload",
    "sniff_media_type",
]


class IntakeCode(StrEnum):
    """Deficiency codes intake produces (see DOMAIN.md); all but the last two refuse the file."""

    CORRUPT = "document_corrupt"
    BLANK = "document_blank"  # one colour: an empty page, a covered lens, a solid-colour screen
    TYPE_MISMATCH = "document_type_mismatch"
    TOO_LARGE = "document_too_large"
    TOO_SMALL = "document_too_small"
    BLURRY = "document_blurry"


class IntakeRefused(ValueError):
    """The file cannot be accepted at all; `code` is the deficiency code, `evidence` the numbers."""

    def __init__(self, code: IntakeCode, detail: str, evidence: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.evidence = evidence or {}


# ~300 dpi across an ID card (85.6 mm) is 1000 px; premises photos only need to be recognisable.
DEFAULT_MIN_WIDTH: dict[DocumentType, int] = {
    DocumentType.ID_CARD_FRONT: 1000,
    DocumentType.ID_CARD_BACK: 1000,
    DocumentType.BANK_CARD: 1000,
    DocumentType.BUSINESS_LICENSE: 1000,
    DocumentType.ADDRESS_PROOF: 1000,
    DocumentType.ACCOUNT_PERMIT: 1000,
    DocumentType.STOREFRONT_PHOTO: 800,
    DocumentType.INTERIOR_PHOTO: 800,
}


# Pixels a document of each type may have, checked on the header before any pixel is decoded. A decoded
# pixel costs up to 4 bytes, twice over while it is converted: 6000x6000 RGBA is ~420 MB from a 140 KB PNG.
# A phone's default photo is 12 MP; a card needs far less, a page a little more.
DEFAULT_MAX_PIXELS: dict[DocumentType, int] = {
    DocumentType.ID_CARD_FRONT: 16_000_000,
    DocumentType.ID_CARD_BACK: 16_000_000,
    DocumentType.BANK_CARD: 16_000_000,
    DocumentType.BUSINESS_LICENSE: 25_000_000,
    DocumentType.ADDRESS_PROOF: 25_000_000,
    DocumentType.ACCOUNT_PERMIT: 25_000_000,
    DocumentType.STOREFRONT_PHOTO: 25_000_000,
    DocumentType.INTERIOR_PHOTO: 25_000_000,
}


class IntakeLimits(BaseModel):
    model_config = ConfigDict(frozen=True)

    max_bytes: PositiveInt = 10 * 1024 * 1024
    # Checked against the dimensions the header declares, before any pixel is decoded: beyond this a file
    # is a decompression bomb whatever its type.
    max_pixels: PositiveInt = 40_000_000
    max_pixels_by_type: dict[DocumentType, int] = Field(default_factory=lambda: dict(DEFAULT_MAX_PIXELS))
    # Decodes running at once in this process (each may hold a few hundred MB); the others wait their turn.
    max_concurrent_decodes: PositiveInt = 2
    min_width: dict[DocumentType, int] = Field(default_factory=lambda: dict(DEFAULT_MIN_WIDTH))
    default_min_width: int = Field(default=800, ge=0, description="For document types missing from `min_width`.")
    # Laplacian variance on a copy scaled to `blur_sample_max_side`; 100 is the usual starting point.
    min_blur_score: float = Field(default=100.0, ge=0)
    blur_sample_max_side: PositiveInt = 1024
    pdf_render_dpi: PositiveInt = 200

    def min_width_for(self, document_type: DocumentType) -> int:
        return self.min_width.get(document_type, self.default_min_width)

    def max_pixels_for(self, document_type: DocumentType | None) -> int:
        return min(self.max_pixels, self.max_pixels_by_type.get(document_type, self.max_pixels))


class IntakeFinding(BaseModel):
    """A quality problem that still lets the file be stored; it becomes a deficiency."""

    code: IntakeCode
    measured: float
    threshold: float
    unit: Literal["px", "laplacian_variance"]
    detail: str


class Inspection(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    media_type: str
    width: int  # after EXIF orientation
    height: int
    blur_score: float
    sha256: str  # of the bytes as uploaded, which is what the blob store keys on
    image: Image.Image | None = Field(exclude=True, repr=False)  # decoded, upright, RGB; None if not kept
    findings: list[IntakeFinding] = Field(default_factory=list)


_PIL_FORMATS = {JPEG: ("JPEG",), PNG: ("PNG",), WEBP: ("WEBP",)}


_decode_slots: dict[int, threading.BoundedSemaphore] = {}
_decode_slots_lock = threading.Lock()


@contextmanager
def decode_slot(limits: IntakeLimits):
    """One of `limits.max_concurrent_decodes` places to hold decoded pixels in this process."""
    with _decode_slots_lock:
        slots = _decode_slots.setdefault(limits.max_concurrent_decodes,
                                         threading.BoundedSemaphore(limits.max_concurrent_decodes))
    with slots:
        yield


def inspect_upload(data: bytes, document_type: DocumentType, limits: IntakeLimits, *,
                   keep_image: bool = True) -> Inspection:
    """Check, decode and measure one upload. Raises IntakeRefused for files that cannot be stored.

    Without `keep_image`, the pixels are let go before this returns (and before its decode slot is), which is
    what callers that only store the file want: a decode slot then bounds the memory of every upload at once.
    """
    if not data:
        raise IntakeRefused(IntakeCode.CORRUPT, "the file is empty")
    if len(data) > limits.max_bytes:
        raise IntakeRefused(
            IntakeCode.TOO_LARGE,
            f"the file is {len(data)} bytes; at most {limits.max_bytes} are accepted",
            {"size_bytes": len(data), "max_bytes": limits.max_bytes},
        )
    media_type = sniff_media_type(data[:SNIFF_BYTES])
    if media_type not in ACCEPTED_MEDIA_TYPES:
        raise IntakeRefused(
            IntakeCode.TYPE_MISMATCH,
            f"the content is {media_type or 'not a recognised format'}; JPEG, PNG, WebP or PDF is required",
            {"detected_media_type": media_type},
        )
    problem = find_polyglot_problem(data, media_type)
    if problem:
        raise IntakeRefused(IntakeCode.CORRUPT, f"the {media_type} file is not clean: {problem}")

    with decode_slot(limits):
        image = _decoded(data, media_type, limits, document_type)
        try:
            _refuse_blank(image)
        except IntakeRefused:
            image.close()  # its pixels go now, inside the decode slot, not when the refusal is collected
            raise
        score = blur_score(image, limits.blur_sample_max_side)
        inspection = Inspection(
            media_type=media_type,
            width=image.width,
            height=image.height,
            blur_score=score,
            sha256=hashlib.sha256(data).hexdigest(),
            image=image if keep_image else None,
            findings=_quality_findings(_document_width(image, document_type), score, document_type, limits),
        )
        if not keep_image:
            image.close()
            del image
        return inspection


def decode_document(data: bytes, limits: IntakeLimits) -> Image.Image:
    """The pixels of a file that already passed `inspect_upload`: upright, RGB, a PDF's first page.

    For readers of stored documents (OCR), which need the image but not the gate's measurements again.
    """
    with decode_slot(limits):
        return _decoded(data, sniff_media_type(data[:SNIFF_BYTES]), limits, None)


def _decoded(data: bytes, media_type: str | None, limits: IntakeLimits,
             document_type: DocumentType | None) -> Image.Image:
    if media_type == PDF:
        return _to_rgb(_render_pdf(data, limits, document_type))
    if media_type not in _PIL_FORMATS:
        raise IntakeRefused(IntakeCode.TYPE_MISMATCH, f"the content is {media_type or 'not a recognised format'}")
    return _to_rgb(_upright(_decode_image(data, media_type, limits, document_type)))


def _refuse_blank(image: Image.Image) -> None:
    """A picture of one colour shows no document at all: the merchant is told so at once, never "blurry"
    (it has no edges, so the sharpness measure would call it that)."""
    look = appearance(image)
    if look.blank:
        colour = "#{:02x}{:02x}{:02x}".format(*look.median_colour)
        raise IntakeRefused(
            IntakeCode.BLANK,
            f"the image is blank: one colour ({colour}) with nothing on it; a photo of the document is needed",
            {"colour": colour, "off_colour_share": round(look.off_colour_share, 4)},
        )


def _document_width(image: Image.Image, document_type: DocumentType) -> int:
    """Pixels across the document: a card photographed in portrait lies on its side (its width is the height)."""
    if document_type in LANDSCAPE_DOCUMENT_TYPES:
        return max(image.width, image.height)
    return image.width


def _decode_image(data: bytes, media_type: str, limits: IntakeLimits,
                  document_type: DocumentType | None) -> Image.Image:
    try:
        # Only the sniffed format's decoder may claim the file, so a JPEG that Pillow could also
        # read as something else is judged as a JPEG.
        image = Image.open(BytesIO(data), formats=_PIL_FORMATS[media_type])
    except Image.DecompressionBombError as exc:
        raise _bomb(str(exc)) from None
    except Exception as exc:  # decoders raise many types; any of them means "cannot read"
        raise IntakeRefused(IntakeCode.CORRUPT, f"the {media_type} header cannot be read ({_reason(exc)})") from None
    type_limit = limits.max_pixels_for(document_type)
    if image.format == "JPEG":
        _reduce_jpeg_decode(image, type_limit)
    width, height = image.size
    if width * height > limits.max_pixels:
        image.close()
        raise _bomb(f"the header declares {width}x{height} pixels; at most {limits.max_pixels} are decoded",
                    width=width, height=height, max_pixels=limits.max_pixels)
    if width * height > type_limit:
        image.close()
        what = document_type or "a document"
        raise IntakeRefused(
            IntakeCode.TOO_LARGE,
            f"the image is {width}x{height} pixels ({width * height / 1e6:.1f} MP); {what} may have at most "
            f"{type_limit / 1e6:.1f} MP: send a smaller photo",
            {"width": width, "height": height, "max_pixels": type_limit})
    refusal = None
    try:
        image.load()  # a full decode is the only proof the data is complete
    except Image.DecompressionBombError as exc:
        refusal = _bomb(str(exc))
    except Exception as exc:
        refusal = IntakeRefused(IntakeCode.CORRUPT, f"the {media_type} data cannot be decoded ({_reason(exc)})")
    if refusal is not None:
        # Raised out here, not as the decoder error's successor: that error's traceback holds the decoder and
        # its pixels, which must be freed now, inside the decode slot, not when the request ends.
        image.close()
        raise refusal
    if image.width < 1 or image.height < 1:
        raise IntakeRefused(IntakeCode.CORRUPT, "the image has no pixels")
    return image


def _reduce_jpeg_decode(image: Image.Image, max_pixels: int) -> None:
    """A JPEG over the limit (a phone's full-resolution photo, 48-50 MP within the file-size limit) is decoded
    at 1/2, 1/4 or 1/8 of its size by the JPEG decoder itself (DCT scaling), the smallest reduction that fits:
    only the reduced pixels are ever held, and a card or a page needs no more. Refused only when even 1/8 is
    too large."""
    width, height = image.size
    if width * height <= max_pixels:
        return
    for scale in (2, 4, 8):
        if -(-width // scale) * -(-height // scale) <= max_pixels:
            image.draft(image.mode, (width // scale, height // scale))
            return


def _bomb(detail: str, **evidence: int) -> IntakeRefused:
    return IntakeRefused(IntakeCode.CORRUPT, f"decompression bomb: {detail}", dict(evidence))


def _render_pdf(data: bytes, limits: IntakeLimits, document_type: DocumentType | None) -> Image.Image:
    try:
        return render_first_page(data, limits.pdf_render_dpi, limits.max_pixels_for(document_type))
    except PdfRefused as exc:
        raise IntakeRefused(IntakeCode.CORRUPT, str(exc)) from None


def _upright(image: Image.Image) -> Image.Image:
    try:
        ImageOps.exif_transpose(image, in_place=True)  # in place: a copy of every photo costs milliseconds
        return image
    except Exception:
        # Damaged EXIF should not cost the merchant a good photo; measure it as stored.
        return image


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        # Transparent areas would turn black under a plain convert; paper is white.
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        # Pillow clips 16-bit values at 255 when converting; scale them down instead.
        values = np.asarray(image, dtype=np.float64)
        if values.size and values.max() > 255:
            values = values / 257.0
        image = Image.fromarray(np.clip(values, 0, 255).astype(np.uint8))
    return image.convert("RGB")


def _quality_findings(
    width: int, score: float, document_type: DocumentType, limits: IntakeLimits
) -> list[IntakeFinding]:
    findings = []
    min_width = limits.min_width_for(document_type)
    if width < min_width:
        findings.append(
            IntakeFinding(
                code=IntakeCode.TOO_SMALL,
                measured=width,
                threshold=min_width,
                unit="px",
                detail=f"the image is {width} px wide; {document_type} needs at least {min_width} px",
            )
        )
    if score < limits.min_blur_score:
        findings.append(
            IntakeFinding(
                code=IntakeCode.BLURRY,
                measured=round(score, 2),
                threshold=limits.min_blur_score,
                unit="laplacian_variance",
                detail=f"sharpness {score:.1f} is below the minimum {limits.min_blur_score:g}",
            )
        )
    return findings


def _reason(error: Exception) -> str:
    """The decoder's words without object reprs (`<_io.BytesIO object at 0x…>` tells a merchant nothing)."""
    return re.sub(r"\s*<[^>]*object at 0x[0-9a-f]+>", "", str(error)).strip() or type(error).__name__
