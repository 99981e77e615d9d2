"""Facts in, decision out: the values the rule engine consumes and produces."""
from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from documents.types import DocumentType, ExtractedField


class MerchantType(StrEnum):
    SMALL_MICRO = "small_micro"
    SOLE_TRADER = "sole_trader"
    ENTERPRISE = "enterprise"


class Outcome(StrEnum):
    APPROVED = "approved"
    NEEDS_DOCUMENTS = "needs_documents"
    MANUAL_REVIEW = "manual_review"
    REJECTED = "rejected"


class DocumentFacts(BaseModel):
    """The latest document of one type, as the checks see it."""

    document_type: DocumentType
    sha256: str
    fields: dict[str, ExtractedField] = Field(default_factory=dict)
    width: int | None = None
    height: int | None = None
    blur_score: float | None = None  # variance of the Laplacian; higher is sharper
    # Set when the engine checks this picture as another type than it was uploaded as: an ID card
    # side sent in the other side's slot (see rules.checks.card_sides).
    uploaded_as: DocumentType | None = None


class PossibleDuplicate(BaseModel):
    """Another application sharing an identifier or a document image with this one (found outside the rules,
    through the search index; staff may have cleared some pairs, which are not passed in)."""

    application_id: str
    matched_on: list[str]  # id_number, uscc, card_number, phone, document


class ApplicationFacts(BaseModel):
    merchant_type: MerchantType
    legal_name: str
    id_number: str
    phone: str
    business_name: str
    business_address: str
    settlement_holder_name: str
    settlement_number: str
    device_model: str
    documents: dict[DocumentType, DocumentFacts] = Field(default_factory=dict)
    possible_duplicates: list[PossibleDuplicate] = Field(default_factory=list)


class Deficiency(BaseModel):
    """One failed check. `code` is an open set: consumers must tolerate codes they do not know."""

    code: str
    document_type: DocumentType | None = None
    field: str | None = None
    message_zh: str
    message_en: str
    staff_note: str
    merchant_fixable: bool = True
    evidence: dict[str, Any] = Field(default_factory=dict)
    variant: str | None = None  # the situation the catalogue worded (e.g. front_twice), if any
    # What the merchant is asked to upload for it: its own document, and any the catalogue adds (an expired
    # ID card back asks for the new card, front and back). Empty for findings about the application itself.
    uploads: list[DocumentType] = Field(default_factory=list)


class Decision(BaseModel):
    outcome: Outcome
    deficiencies: list[Deficiency] = Field(default_factory=list)
    # Staff-only findings that do not block (e.g. a UnionPay card failing Luhn).
    warnings: list[Deficiency] = Field(default_factory=list)
    # Findings staff accepted (onboard review accept): shown, never blocking.
    waived: list[Deficiency] = Field(default_factory=list)
    rules_version: str
    evaluated_on: date
