"""Value types shared by intake, OCR and extraction. Plain data, no I/O."""
from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


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


class OcrLine(BaseModel):
    text: str
    confidence: float = Field(ge=0.0, le=1.0)
    box: tuple[int, int, int, int] | None = None  # left, top, width, height in pass image pixels


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


ExtractedFields = dict[str, ExtractedField]
