"""Hypothesis strategies for whole submissions: a set of typed files, good, damaged or hostile."""
from __future__ import annotations

from functools import lru_cache

from hypothesis import strategies as st

from documents.types import DocumentType
from onboarding.service.submission import UploadedFile
from tests.support.hostile_documents import hostile_documents
from tests.support.image_mutations import checksummed_pngs, mutated_seed_files, seed_files, wellformed_random_pngs

@lru_cache(maxsize=1)
def _hostile_payloads() -> tuple[bytes, ...]:
    return tuple(d.data() for d in hostile_documents())


_good_files = st.sampled_from(sorted(seed_files().values())) | wellformed_random_pngs()
# Good files weigh five times as much, so that whole submissions pass often enough to check what is stored.
file_contents = st.one_of(
    *[_good_files] * 5,
    mutated_seed_files().map(lambda named: named[1]),
    wellformed_random_pngs(),
    checksummed_pngs(),
    st.sampled_from(_hostile_payloads()),
)

_uploaded_file = st.builds(UploadedFile, st.sampled_from(list(DocumentType)), file_contents,
                           st.none() | st.text(max_size=300))
# Mostly one file per type; sometimes a type given twice, which must be refused.
uploaded_files = (st.lists(_uploaded_file, max_size=4, unique_by=lambda f: f.document_type)
                  | st.lists(_uploaded_file, min_size=2, max_size=4))
