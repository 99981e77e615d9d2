"""The fields an ideal reader extracts from each sample document, under the names of INTERFACE.md."""
from __future__ import annotations

from documents.samples.identity import SampleIdentity
from documents.types import DocumentType


def ground_truth(document_type: DocumentType | str, identity: SampleIdentity) -> dict[str, str]:
    document_type = DocumentType(document_type)
    if document_type is DocumentType.ID_CARD_FRONT:
        return {
            "name": identity.name,
            "sex": identity.sex,
            "ethnicity": identity.ethnicity,
            "birth_date": identity.birth_date.isoformat(),
            "address": identity.home_address,
            "id_number": identity.id_number,
        }
    if document_type is DocumentType.ID_CARD_BACK:
        return {
            "issuing_authority": identity.issuing_authority,
            "valid_from": identity.valid_from.isoformat(),
            "valid_until": identity.valid_until_text,
        }
    if document_type is DocumentType.BANK_CARD:
        return {"card_number": identity.card_number}
    if document_type is DocumentType.BUSINESS_LICENSE:
        return {
            "uscc": identity.uscc,
            "company_name": identity.business_name,
            "legal_representative": identity.legal_representative,
            "address": identity.business_address,
        }
    if document_type is DocumentType.ADDRESS_PROOF:
        return {
            "holder_name": identity.address_proof_holder,
            "address": identity.address_proof_address,
            "issue_date": identity.address_proof_issued_on.isoformat(),
        }
    return {}  # premises photos and account permits carry no fields we read
