"""`extract_fields`: the one entry point from an `OcrReading` to named fields: the picture classified
(documents.classify), then read by its type's extractor (documents.extract). Above both, so neither imports
the other's caller."""
from __future__ import annotations

from collections.abc import Callable

from documents.classify import KIND_FIELD, Kind, classify, fits_slot
from documents.extract import address_proof, bank_card, business_license, id_card
from documents.extract.card_side import SIDE_FIELD
from documents.types import CharAlternative, DocumentType, ExtractedField, ExtractedFields, OcrLine, OcrReading

EXTRACTORS: dict[DocumentType, Callable[[OcrReading], ExtractedFields]] = {
    DocumentType.ID_CARD_FRONT: id_card.extract_front,
    DocumentType.ID_CARD_BACK: id_card.extract_back,
    DocumentType.BANK_CARD: bank_card.extract,
    DocumentType.BUSINESS_LICENSE: business_license.extract,
    DocumentType.ADDRESS_PROOF: address_proof.extract,
}
ID_SLOTS = frozenset({DocumentType.ID_CARD_FRONT, DocumentType.ID_CARD_BACK})


def extract_fields(reading: OcrReading, document_type: DocumentType | str) -> ExtractedFields:
    """Fields under the names of INTERFACE.md; unreadable fields are absent. Types without fields give {}.

    The picture is classified first. One that is surely another document than its slot's gives no fields,
    only `document_kind` (what it is): a bank card's number is no ID card's validity, and reading it as one
    would only invent mismatches. (An ID card side in the other side's slot is read as the side it shows:
    see `id_card`.)
    """
    document_type = DocumentType(document_type)
    verdict = classify(reading=reading)
    extractor = EXTRACTORS.get(document_type)
    other_side = document_type in ID_SLOTS and verdict.kind in (Kind.ID_CARD_FRONT, Kind.ID_CARD_BACK)
    if not verdict.sure or fits_slot(verdict.kind, document_type) or other_side:
        return with_alternatives(extractor(reading), reading) if extractor is not None else {}
    fields: ExtractedFields = {}
    if document_type in ID_SLOTS:  # which side it shows (none) still tells the rules what is missing
        fields = {name: value for name, value in extractor(reading).items() if name == SIDE_FIELD}
    fields[KIND_FIELD] = ExtractedField(value=str(verdict.kind), confidence=verdict.confidence)
    return fields


def with_alternatives(fields: ExtractedFields, reading: OcrReading) -> ExtractedFields:
    """Each field whose value one line of the reading holds as it is (spaces aside) gets that line's
    alternatives for the value's characters. A value the extractor assembled or corrected gets none: they
    would no longer say which character they were for."""
    lines = [line for ocr_pass in reading.passes for line in ocr_pass.lines if line.alternatives]
    return {name: field.model_copy(update={"alternatives": _alternatives_of(field.value, lines)})
            if field.value and lines else field for name, field in fields.items()}


def _alternatives_of(value: str, lines: list[OcrLine]) -> list[CharAlternative]:
    value_at = [index for index, char in enumerate(value) if not char.isspace()]  # compact -> value index
    wanted = "".join(value[index] for index in value_at)
    for line in lines:
        line_at = [index for index, char in enumerate(line.text) if not char.isspace()]
        start = "".join(line.text[index] for index in line_at).find(wanted)
        if start < 0:
            continue
        compact_of = {line_index: compact for compact, line_index in enumerate(line_at)}
        return [alternative.model_copy(update={"at": value_at[compact_of[alternative.at] - start]})
                for alternative in line.alternatives
                if start <= compact_of.get(alternative.at, -1) < start + len(wanted)]
    return []
