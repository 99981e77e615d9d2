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


def test_a_large_batch_runs_in_parts_each_found_by_its_members_ids(services, monkeypatch):
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags

    import flows.launch
    from flows.launch import run_batch

    monkeypatch.setattr(flows.launch, "BATCH_RUN_MEMBERS", 2)  # 3 applications: parts of 2 and 1
    ids = [submit(services, seed, "sole_trader") for seed in (41, 42, 43)]

    states = run_batch(services, ids)

    assert states == {application_id: "approved" for application_id in ids}
    with get_client(sync_client=True) as client:
        found = {application_id: client.read_flow_runs(flow_run_filter=FlowRunFilter(
            tags=FlowRunFilterTags(all_=[application_id]))) for application_id in ids}
    names = {application_id: [run.name for run in runs] for application_id, runs in found.items()}
    assert [len(runs) for runs in found.values()] == [1, 1, 1]
    assert names[ids[0]] == names[ids[1]] != names[ids[2]]
    assert names[ids[0]][0].endswith("-1of2") and names[ids[2]][0].endswith("-2of2")


def test_prefect_takes_a_batch_run_tagged_with_as_many_ids_as_a_part_holds_and_not_many_more(prefect_api_url):
    """Prefect refuses an event with more than 100 related resources, and each tag is one (a 100-application
    batch's run once failed to start with a 500): the part size stays under that, with its task runs."""
    from prefect import flow, tags, task
    from prefect.exceptions import PrefectHTTPStatusError

    from flows.launch import BATCH_RUN_MEMBERS

    @task
    def member(n: int) -> int:
        return n

    @flow
    def part_of_a_batch() -> int:
        return member(1)

    with tags("onboarding", "batch", *[f"APP-{n:08d}" for n in range(BATCH_RUN_MEMBERS)]):
        assert part_of_a_batch() == 1
    with pytest.raises(PrefectHTTPStatusError), tags(*[f"APP-{n:08d}" for n in range(101)]):
        part_of_a_batch()
