"""`extract_fields`: the one entry point from an `OcrReading` to named fields."""
from __future__ import annotations

from collections.abc import Callable

from documents.extract import address_proof, bank_card, business_license, id_card
from documents.types import DocumentType, ExtractedFields, OcrReading

EXTRACTORS: dict[DocumentType, Callable[[OcrReading], ExtractedFields]] = {
    DocumentType.ID_CARD_FRONT: id_card.extract_front,
    DocumentType.ID_CARD_BACK: id_card.extract_back,
    DocumentType.BANK_CARD: bank_card.extract,
    DocumentType.BUSINESS_LICENSE: business_license.extract,
    DocumentType.ADDRESS_PROOF: address_proof.extract,
}


def extract_fields(reading: OcrReading, document_type: DocumentType | str) -> ExtractedFields:
    """Fields under the names of INTERFACE.md; unreadable fields are absent. Types without fields give {}."""
    extractor = EXTRACTORS.get(DocumentType(document_type))
    return extractor(reading) if extractor is not None else {}
