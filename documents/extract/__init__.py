"""Field extraction from OCR readings: pure functions, one module per document type (documents.fields
chooses one and runs it)."""
