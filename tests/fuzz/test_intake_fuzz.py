"""The intake gate on damaged files: it returns an Inspection or raises IntakeRefused, and nothing else, ever."""
from __future__ import annotations

import hashlib

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from documents.intake import ACCEPTED_MEDIA_TYPES, Inspection, IntakeLimits, IntakeRefused, inspect_upload
from documents.types import DocumentType
from tests.support.image_mutations import (
    checksummed_pngs,
    mutated_seed_files,
    pdfs_with_injected_names,
    seed_files,
    wellformed_random_pngs,
)

MUTATED_FILE_EXAMPLES = 600
CHECKSUMMED_PNG_EXAMPLES = 300
INJECTED_PDF_EXAMPLES = 60
# Small enough that fuzzed headers cross it often and decoding stays cheap.
LIMITS = IntakeLimits(max_pixels=2_000_000, max_bytes=1_000_000)
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

document_types = st.sampled_from(list(DocumentType))


def inspect_or_refuse(data: bytes, document_type: DocumentType) -> Inspection | IntakeRefused:
    """The gate's answer; any other exception propagates and fails the property."""
    try:
        inspection = inspect_upload(data, document_type, LIMITS)
    except IntakeRefused as refusal:
        assert refusal.code and refusal.detail
        event(f"refused: {refusal.code}")
        return refusal
    event(f"accepted: {inspection.media_type}")
    assert inspection.media_type in ACCEPTED_MEDIA_TYPES
    assert inspection.width >= 1 and inspection.height >= 1
    assert inspection.width * inspection.height <= LIMITS.max_pixels
    assert inspection.image.mode == "RGB" and inspection.image.size == (inspection.width, inspection.height)
    assert inspection.sha256 == hashlib.sha256(data).hexdigest()
    return inspection


def test_every_seed_file_is_accepted() -> None:
    for name, data in seed_files().items():
        assert isinstance(inspect_upload(data, DocumentType.STOREFRONT_PHOTO, LIMITS), Inspection), name


@settings(max_examples=MUTATED_FILE_EXAMPLES, **SETTINGS)
@given(mutated_seed_files(), document_types)
def test_a_mutated_file_is_inspected_or_refused(named: tuple[str, bytes], document_type: DocumentType) -> None:
    inspect_or_refuse(named[1], document_type)


@settings(max_examples=CHECKSUMMED_PNG_EXAMPLES, **SETTINGS)
@given(checksummed_pngs() | wellformed_random_pngs(), document_types)
def test_a_png_with_valid_checksums_and_fuzzed_content_is_inspected_or_refused(data: bytes,
                                                                              document_type: DocumentType) -> None:
    inspect_or_refuse(data, document_type)


@settings(max_examples=INJECTED_PDF_EXAMPLES, **SETTINGS)
@given(pdfs_with_injected_names())
def test_a_pdf_naming_active_content_is_refused_and_other_names_pass(data: bytes) -> None:
    from documents.pdf_pages import FORBIDDEN_PDF_NAMES, forbidden_pdf_names

    outcome = inspect_or_refuse(data, DocumentType.BUSINESS_LICENSE)
    assert isinstance(outcome, IntakeRefused) == bool(forbidden_pdf_names(data) & FORBIDDEN_PDF_NAMES)
