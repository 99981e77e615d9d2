"""Render any document type for a sample merchant, at a chosen capture level."""
from __future__ import annotations

import random
from collections.abc import Callable

from PIL import Image

from documents.samples.degrade import apply_level
from documents.samples.identity import SampleIdentity
from documents.samples.layouts.account_permit import account_permit
from documents.samples.layouts.address_proof import address_proof
from documents.samples.layouts.bank_card import bank_card
from documents.samples.layouts.business_license import business_license
from documents.samples.layouts.id_card import id_back, id_front
from documents.samples.layouts.photos import interior_photo, storefront_photo
from documents.types import DocumentType

Layout = Callable[[SampleIdentity, random.Random], Image.Image]

LAYOUTS: dict[DocumentType, Layout] = {
    DocumentType.ID_CARD_FRONT: id_front,
    DocumentType.ID_CARD_BACK: id_back,
    DocumentType.BANK_CARD: bank_card,
    DocumentType.BUSINESS_LICENSE: business_license,
    DocumentType.ADDRESS_PROOF: address_proof,
    DocumentType.STOREFRONT_PHOTO: storefront_photo,
    DocumentType.INTERIOR_PHOTO: interior_photo,
    DocumentType.ACCOUNT_PERMIT: account_permit,
}


def render(document_type: DocumentType | str, identity: SampleIdentity, level: str = "clean", seed: int = 0) -> Image.Image:
    """An RGB image of the document; `seed` varies the incidental look (background, capture), not the fields."""
    document_type = DocumentType(document_type)
    layout = LAYOUTS.get(document_type)
    if layout is None:
        raise ValueError(f"no sample layout for {document_type.value}")
    # String seeds hash with SHA-512 in `random`, so this is stable across processes and PYTHONHASHSEED.
    layout_rng = random.Random(f"{identity.seed}:{document_type.value}:{seed}:layout")
    capture_rng = random.Random(f"{identity.seed}:{document_type.value}:{seed}:{level}")
    return apply_level(layout(identity, layout_rng), level, capture_rng)
