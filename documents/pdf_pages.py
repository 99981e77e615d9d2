"""Turn the first page of a PDF into an image, refusing PDFs that could act on their own.

A scanned ID or licence needs nothing but pages. Scripts, launch actions, embedded files and
encryption have no business in one, and each is a way to smuggle content past our checks, so
their presence is a refusal rather than something we try to strip.
"""
from __future__ import annotations

import threading

from PIL import Image

from documents.pdf_active_content import FORBIDDEN_PDF_NAMES, PdfNotInspectable, forbidden_pdf_names

__all__ = ["FORBIDDEN_PDF_NAMES", "PdfRefused", "forbidden_pdf_names", "render_first_page"]

# PDFium is not thread-safe; flows may inspect uploads from several threads at once.
_PDFIUM_LOCK = threading.Lock()


class PdfRefused(ValueError):
    """The PDF cannot be opened, is encrypted, or contains active or embedded content."""


def render_first_page(data: bytes, dpi: int, max_pixels: int) -> Image.Image:
    """The first page as an RGB image at `dpi`, scaled down if it would exceed `max_pixels`.

    Raises PdfRefused for anything we will not render.
    """
    try:
        forbidden = forbidden_pdf_names(data)
    except PdfNotInspectable as exc:
        raise PdfRefused(str(exc)) from None
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
