"""The OCR engine interface: turns one image into every line of text it could read, per pass."""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from PIL import Image

from documents.types import DocumentType, OcrReading


@runtime_checkable
class OcrEngine(Protocol):
    @property
    def version(self) -> str:
        """Engine name and version, e.g. "tesseract 5.3.0"; recorded with every decision."""
        ...

    @property
    def pipeline_version(self) -> str:
        """Version of our preprocessing and pass plan; part of the OCR cache key with `version`."""
        ...

    def read(self, image: Image.Image, document_type: DocumentType) -> OcrReading:
        ...
