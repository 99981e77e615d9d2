"""Field extraction from OCR readings: pure functions, one module per document type."""
from documents.extract.dispatch import extract_fields

__all__ = ["extract_fields"]
