"""OCR engines behind the `OcrEngine` interface; `TesseractEngine` is the real one."""
from documents.ocr.engine import OcrEngine
from documents.ocr.tesseract import TesseractEngine

__all__ = ["OcrEngine", "TesseractEngine"]
