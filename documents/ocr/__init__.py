"""OCR engines behind the `OcrEngine` interface: RapidOCR (the default, the `rapidocr` extra) and tesseract."""
from __future__ import annotations

from typing import Literal

from documents.ocr.engine import OcrEngine
from documents.ocr.tesseract import TesseractEngine

EngineName = Literal["tesseract", "rapidocr"]
ENGINE_NAMES: tuple[str, ...] = ("tesseract", "rapidocr")


def open_ocr_engine(name: EngineName) -> OcrEngine:
    """The engine called `name` (settings: ONBOARD_OCR_ENGINE); each reads with one thread per document."""
    if name == "tesseract":
        return TesseractEngine()
    if name == "rapidocr":
        # imported when needed, to keep this module's import cheap for every command
        from documents.ocr.rapid import RapidOcrEngine

        return RapidOcrEngine()
    raise ValueError(f"unknown OCR engine {name!r}; expected one of {', '.join(ENGINE_NAMES)}")


__all__ = ["ENGINE_NAMES", "EngineName", "OcrEngine", "TesseractEngine", "open_ocr_engine"]
