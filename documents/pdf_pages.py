"""Turn the first page of a PDF into an image, refusing PDFs that could act on their own.

A scanned ID or licence needs nothing but pages. Scripts, launch actions, embedded files and
encryption have no business in one, and each is a way to smuggle content past our checks, so
their presence is a refusal rather than something we try to strip.
"""
from __future__ import annotations

import re
import threading
import zlib

from PIL import Image

# Names that make a PDF do something when opened, carry other files, or hide its content.
FORBIDDEN_PDF_NAMES = frozenset(
    {
        "JavaScript",
        "JS",
        "OpenAction",
        "AA",
        "Launch",
        "SubmitForm",
        "ImportData",
        "EmbeddedFile",
        "EmbeddedFiles",
        "RichMedia",
        "XFA",
        "Encrypt",
    }
)

_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM_START = re.compile(rb"(?<!end)stream\r?\n")
# Object streams hold dictionaries compressed; this much inflated text is plenty for a scan.
_MAX_OBJECT_STREAM_BYTES = 16 * 1024 * 1024

# PDFium is not thread-safe; flows may inspect uploads from several threads at once.
_PDFIUM_LOCK = threading.Lock()


class PdfRefused(ValueError):
    """The PDF cannot be opened, is encrypted, or contains active or embedded content."""


def forbidden_pdf_names(data: bytes) -> set[str]:
    """Forbidden names in the file body and inside compressed object streams.

    Names are compared after undoing `#xx` escapes, since `/J#61vaScript` means `/JavaScript`.
    """
    found = _names_in(data)
    for stream in _object_streams(data):
        found |= _names_in(stream)
    return found & FORBIDDEN_PDF_NAMES


def render_first_page(data: bytes, dpi: int, max_pixels: int) -> Image.Image:
    """The first page as an RGB image at `dpi`, scaled down if it would exceed `max_pixels`.

    Raises PdfRefused for anything we will not render.
    """
    forbidden = forbidden_pdf_names(data)
    if forbidden:
        raise PdfRefused(f"PDF contains {', '.join(sorted(forbidden))}")
    import pypdfium2 as pdfium  # deferred: loads a native library
    import pypdfium2.raw as pdfium_c

    with _PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise PdfRefused(f"PDF cannot be opened: {exc}") from None
        try:
            if pdfium_c.FPDF_GetSecurityHandlerRevision(document.raw) != -1:
                raise PdfRefused("PDF is encrypted")
            if pdfium_c.FPDFDoc_GetJavaScriptActionCount(document.raw) > 0:
                raise PdfRefused("PDF contains JavaScript")
            if len(document) < 1:
                raise PdfRefused("PDF has no pages")
            page = document[0]
            try:
                width_pt, height_pt = page.get_size()
                if width_pt <= 0 or height_pt <= 0:
                    raise PdfRefused("PDF page has no area")
                scale = _render_scale(width_pt, height_pt, dpi, max_pixels)
                bitmap = page.render(scale=scale, may_draw_forms=False)
                try:
                    # Copy out: the PIL view shares memory with the bitmap we are about to free.
                    return bitmap.to_pil().convert("RGB").copy()
                finally:
                    bitmap.close()
            finally:
                page.close()
        except pdfium.PdfiumError as exc:
            raise PdfRefused(f"PDF page cannot be rendered: {exc}") from None
        finally:
            document.close()


def _render_scale(width_pt: float, height_pt: float, dpi: int, max_pixels: int) -> float:
    # A page can declare itself 200 inches wide; that is a size we choose to render, not one the
    # file forces on us, so we shrink instead of refusing.
    scale = dpi / 72.0
    # PDFium rounds each side up to whole pixels, so leave room for one more row and column.
    for _ in range(50):
        if (width_pt * scale + 1) * (height_pt * scale + 1) <= max_pixels:
            break
        scale *= min(0.99, (max_pixels / ((width_pt * scale + 1) * (height_pt * scale + 1))) ** 0.5)
    return scale


def _names_in(chunk: bytes) -> set[str]:
    names = set()
    for match in _NAME.finditer(chunk):
        raw = _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        names.add(raw.decode("latin-1"))
    return names


def _object_streams(data: bytes):
    """Inflated contents of /ObjStm streams, where PDF 1.5+ files keep their dictionaries."""
    budget = _MAX_OBJECT_STREAM_BYTES
    for match in _STREAM_START.finditer(data):
        dictionary_start = data.rfind(b"obj", 0, match.start())
        if "ObjStm" not in _names_in(data[dictionary_start : match.start()]):
            continue
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(data[match.end() :], budget)
        except zlib.error:
            # Another filter or damage: either way we cannot see what it holds, so we refuse
            # rather than let PDFium read dictionaries we never checked.
            raise PdfRefused("PDF has an object stream that cannot be inspected") from None
        budget -= len(inflated)
        yield inflated
        if budget <= 0:
            return
