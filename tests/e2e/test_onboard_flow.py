"""The Prefect flow itself: concurrent OCR, reuse of finished steps, no repeated side effects."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from documents.samples.applications import sample_application
from onboarding.adapters.orm import ocr_readings
from onboarding.adapters.outbox import outbox
from onboarding.bootstrap import get_services
from onboarding.service.application_input import parse_application
from onboarding.service.submission import UploadedFile, submit_application


@pytest.fixture
def services(onboard_home, prefect_api_url):
    return get_services()


def submit(services, seed, merchant_type, scenario="complete") -> str:
    sample = sample_application(seed, merchant_type, scenario, as_of=services.clock().date())
    files = [UploadedFile(t, data) for t, data in sample.documents.items()]
    return submit_application(services, parse_application(sample.payload), files, actor="test")


def count(services, table, *where) -> int:
    with services.uow() as uow:
        return uow.session.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_flow_run_is_named_after_the_application_and_reruns_reuse_ocr(services):
    from prefect import get_client

    from flows.launch import run_onboarding

    application_id = submit(services, 21, "sole_trader")
    assert run_onboarding(services, application_id) == "approved"
    readings = count(services, ocr_readings)
    assert readings == 4  # ID front, ID back, bank card, licence; photos are not read

    assert run_onboarding(services, application_id, from_step="check") == "approved"
    assert count(services, ocr_readings) == readings

    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    key = f"application-{application_id.lower()}"
    with get_client(sync_client=True) as client:  # sync: other tests may leave an event loop running
        runs = [r for r in client.read_flow_runs() if r.name == f"onboard-{application_id}"]
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
    assert len(runs) == 2 and all("sole_trader" in r.tags for r in runs)
    assert artifacts and artifacts[0].type == "markdown"
    assert "approved" in artifacts[0].data and sample_id_is_masked(artifacts[0].data)


def sample_id_is_masked(markdown: str) -> bool:
    import re

    return re.search(r"\b\d{17}[\dX]\b", markdown) is None


def test_a_request_is_notified_once_per_channel_however_often_the_flow_runs(services):
    from flows.launch import run_onboarding

    application_id = submit(services, 22, "small_micro", "expired_id")
    assert run_onboarding(services, application_id) == "needs_documents"
    for _ in range(2):
        run_onboarding(services, application_id)
    rows = count(services, outbox, outbox.c.application_id == application_id)
    assert rows == 2  # one SMS, one email
    files = sorted((services.settings.outbox_dir).rglob("*.json"))
    assert len(files) == 2
    email = json.loads(next((services.settings.outbox_dir / "email").glob("*.json")).read_text())
    assert "/r/" in email["body"] and "身份证" in email["body"]
    with services.uow() as uow:
        stored = uow.outbox.for_application(application_id)
    assert all("/r/[redacted]" in m["body"] for m in stored if "/r/" in m["body"])
