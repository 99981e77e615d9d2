"""A stored document as a picture for staff: upright, the first page of a PDF, re-encoded as JPEG so nothing of
the merchant's file (metadata, scripts in a PDF) reaches the browser."""
from __future__ import annotations

import io

from documents.intake import decode_document
from onboarding.bootstrap import Services

MAX_SIDE = 2400  # enough to zoom into a card number; bounded so a 6000 px photo is not sent whole


def display_jpeg(services: Services, sha256: str) -> bytes:
    image = decode_document(services.blobs.get(sha256), services.intake_limits)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=88)
    return buffer.getvalue()
