"""`submit_application` on a real SQLite installation with fuzzed applications and files.

Either the application is stored with exactly its documents and blobs, or it is refused
(InvalidApplication / UploadRefused) and the installation is byte-for-byte as before: no row, no blob.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from documents.storage import sha256_hex
from onboarding.bootstrap import get_services
from onboarding.service.application_input import InvalidApplication, parse_application
from onboarding.service.submission import UploadedFile, UploadRefused, submit_application
from tests.support.application_strategies import near_valid_applications
from tests.support.applications import valid_application
from tests.support.installation import home_state, services_for
from tests.support.upload_strategies import uploaded_files

SUBMISSION_EXAMPLES = 120


def _rows(state, table: str) -> int:
    return state.tables.get(table, (0, ""))[0]


@settings(max_examples=SUBMISSION_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(raw=st.one_of(st.builds(valid_application), st.builds(valid_application), near_valid_applications()),
       files=uploaded_files)
def test_a_submission_is_stored_whole_or_refused_leaving_nothing(onboard_home: Path, raw: dict,
                                                                 files: list[UploadedFile]) -> None:
    services = get_services()
    before = home_state(onboard_home)
    try:
        application_id = submit_application(services, parse_application(raw), files, actor="test:fuzz")
    except (InvalidApplication, UploadRefused) as refusal:
        event(f"refused: {refusal.code}" if isinstance(refusal, UploadRefused) else "refused: invalid application")
        assert before.differences(home_state(onboard_home)) == []
        return
    event("stored")
    after = home_state(onboard_home)
    assert _rows(after, "applications") == _rows(before, "applications") + 1
    assert _rows(after, "documents") == _rows(before, "documents") + len(files)
    with services.uow() as uow:
        documents = {d.document_type: d.sha256 for d in uow.applications.get(application_id).documents}
    assert documents == {f.document_type: sha256_hex(f.data) for f in files}
    assert all(services.blobs.get(sha256_hex(f.data)) == f.data for f in files)
    assert {Path(name).name for name in after.files - before.files} <= set(documents.values())


def test_a_nul_character_in_a_text_field_is_refused_as_invalid(database_url: str, tmp_path: Path) -> None:
    services = services_for(tmp_path / "home", database_url)
    with pytest.raises(InvalidApplication) as refused:
        submit_application(services, parse_application(valid_application(business_name="昌良\u0000小吃店")), [],
                           actor="test:fuzz")
    assert refused.value.field == "business_name"
