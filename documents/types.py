"""Value types shared by intake, OCR and extraction. Plain data, no I/O."""
from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, model_serializer


class DocumentType(StrEnum):
    ID_CARD_FRONT = "id_card_front"
    ID_CARD_BACK = "id_card_back"
    BANK_CARD = "bank_card"
    BUSINESS_LICENSE = "business_license"
    ADDRESS_PROOF = "address_proof"
    STOREFRONT_PHOTO = "storefront_photo"
    INTERIOR_PHOTO = "interior_photo"
    ACCOUNT_PERMIT = "account_permit"


# Photos of premises carry no fields to read; OCR is skipped for them.
OCR_DOCUMENT_TYPES = frozenset(
    {
        DocumentType.ID_CARD_FRONT,
        DocumentType.ID_CARD_BACK,
        DocumentType.BANK_CARD,
        DocumentType.BUSINESS_LICENSE,
        DocumentType.ADDRESS_PROOF,
    }
)

# Printed in landscape: a photo of one in portrait shows it lying on its side, and its width
# (resolution, reading direction) is the photo's long side.
LANDSCAPE_DOCUMENT_TYPES = frozenset(
    {DocumentType.ID_CARD_FRONT, DocumentType.ID_CARD_BACK, DocumentType.BANK_CARD, DocumentType.BUSINESS_LICENSE}
)


class CharAlternative(BaseModel):
    """A character the recogniser was unsure of: the other characters it gave that place, with their
    probabilities (永 0.47 where it read 水 at 0.51). `at` indexes the text that carries it."""

    at: int = Field(ge=0)
    options: dict[str, float]


class OcrLine(BaseModel):
    text: str
    confidence: float = Field(ge=0.0, le=1.0)
    box: tuple[int, int, int, int] | None = None  # left, top, width, height in pass image pixels
    alternatives: list[CharAlternative] = Field(default_factory=list)

    @model_serializer(mode="wrap")
    def _without_empty_alternatives(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _drop_empty_alternatives(handler(self))


class OcrPass(BaseModel):
    """One recognition pass: a preprocessing + page-segmentation combination, or a targeted region read."""

    name: str
    lines: list[OcrLine]


class OcrReading(BaseModel):
    """Everything an engine read from one image; extraction picks fields from it."""

    engine: str  # e.g. "tesseract 5.3.0"
    pipeline_version: str
    passes: list[OcrPass]


class ExtractedField(BaseModel):
    value: str | None
    confidence: float = Field(ge=0.0, le=1.0)
    # The recogniser's other readings of the value's unsure characters (rules.checks.alternatives): kept only
    # where an engine gives them, and written out only when there are some (INTERFACE.md's field shape).
    alternatives: list[CharAlternative] = Field(default_factory=list)

    @model_serializer(mode="wrap")
    def _without_empty_alternatives(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _drop_empty_alternatives(handler(self))


def _drop_empty_alternatives(dumped: dict[str, Any]) -> dict[str, Any]:
    if not dumped.get("alternatives"):
        dumped.pop("alternatives", None)
    return dumped


ExtractedFields = dict[str, ExtractedField]
