"""Whole sample applications: the application file plus rendered documents, with a deliberate defect or none.

Used by the demo, the tests and the benchmarks, so every scenario is rebuilt from a seed, never stored.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from PIL import Image

from documents.samples.identity import SampleIdentity, add_years, make_identity
from documents.samples.layouts.account_permit import corporate_account_number
from documents.samples.render import render
from documents.samples.variants import with_wrong_check_char
from documents.types import DocumentType as D

DOCUMENTS_BY_TYPE: dict[str, tuple[D, ...]] = {
    "small_micro": (D.ID_CARD_FRONT, D.ID_CARD_BACK, D.BANK_CARD, D.ADDRESS_PROOF, D.STOREFRONT_PHOTO,
                    D.INTERIOR_PHOTO),
    "sole_trader": (D.ID_CARD_FRONT, D.ID_CARD_BACK, D.BANK_CARD, D.BUSINESS_LICENSE, D.STOREFRONT_PHOTO,
                    D.INTERIOR_PHOTO),
    "enterprise": (D.ID_CARD_FRONT, D.ID_CARD_BACK, D.ACCOUNT_PERMIT, D.BUSINESS_LICENSE, D.STOREFRONT_PHOTO),
}

# What each defect should make the checks say (the codes a user would expect).
SCENARIOS: dict[str, tuple[str, ...]] = {
    "complete": (),
    "missing_back": ("document_missing_back",),
    "expired_id": ("document_expired",),
    "name_mismatch": ("name_mismatch",),
    # The licence's credit code has a wrong check character (a forged, mistyped or wrong document).
    "invalid_uscc": ("uscc_invalid",),
    # The front photographed twice: a second picture of the front in the back's slot.
    "front_twice": ("document_missing_back",),
    # Both sides sent, each in the other's slot: used as they are.
    "swapped_sides": (),
}
# Scenarios about a document that only some merchant types send.
NEEDS_LICENCE = frozenset({"invalid_uscc"})


@dataclass
class SampleApplication:
    scenario: str
    identity: SampleIdentity
    payload: dict[str, Any]
    documents: dict[D, bytes] = field(default_factory=dict)

    @property
    def expected_codes(self) -> tuple[str, ...]:
        return SCENARIOS[self.scenario]


def encode_jpeg(image: Image.Image, quality: int = 92) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def expired_identity(seed: int, merchant_type: str, as_of: date) -> SampleIdentity:
    """A card that ran out a month ago, issued for the 20 years an adult of that age would have got."""
    base = make_identity(seed, as_of=as_of, merchant_type=merchant_type)
    valid_until = as_of - timedelta(days=30)
    return base.model_copy(update={"valid_until": valid_until, "valid_from": add_years(valid_until, -20)})


def sample_application(seed: int, merchant_type: str, scenario: str = "complete", *,
                       as_of: date | None = None, level: str = "clean") -> SampleApplication:
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
    if scenario in NEEDS_LICENCE and D.BUSINESS_LICENSE not in DOCUMENTS_BY_TYPE[merchant_type]:
        raise ValueError(f"scenario {scenario!r} needs a business licence, which {merchant_type} does not send")
    as_of = as_of or date.today()
    identity = (expired_identity(seed, merchant_type, as_of) if scenario == "expired_id"
                else make_identity(seed, as_of=as_of, merchant_type=merchant_type))
    if scenario == "invalid_uscc":
        identity = identity.model_copy(update={"uscc": with_wrong_check_char(identity.uscc)})
    payload = application_payload(identity)
    if scenario == "name_mismatch":
        # The applicant typed a near-homophone; the ID card says otherwise.
        typed = identity.name[:-1] + ("亮" if identity.name[-1] != "亮" else "良")
        payload["legal_name"] = typed
        payload["settlement_account"]["holder_name"] = typed if merchant_type != "enterprise" else identity.business_name
    documents = {t: encode_jpeg(render(t, identity, level=level, seed=seed)) for t in DOCUMENTS_BY_TYPE[merchant_type]
                 if not (scenario == "missing_back" and t == D.ID_CARD_BACK)}
    if scenario == "front_twice":  # another shot of the front: a different file, not a duplicate
        documents[D.ID_CARD_BACK] = encode_jpeg(render(D.ID_CARD_FRONT, identity, level=level, seed=seed + 1))
    if scenario == "swapped_sides":
        documents[D.ID_CARD_FRONT], documents[D.ID_CARD_BACK] = documents[D.ID_CARD_BACK], documents[D.ID_CARD_FRONT]
    return SampleApplication(scenario=scenario, identity=identity, payload=payload, documents=documents)


def application_payload(identity: SampleIdentity) -> dict[str, Any]:
    enterprise = identity.merchant_type == "enterprise"
    return {
        "merchant_type": identity.merchant_type,
        "legal_name": identity.name,
        "id_number": identity.id_number,
        "phone": identity.phone,
        "email": f"merchant{identity.seed}@example.com",
        "business_name": identity.business_name,
        "business_address": identity.business_address,
        "settlement_account": {
            "holder_name": identity.business_name if enterprise else identity.name,
            "number": corporate_account_number(identity) if enterprise else identity.card_number,
            "bank_name": identity.bank_name,
        },
        "device_model": "P2",
    }
