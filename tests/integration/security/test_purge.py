"""`onboard purge`: files and OCR readings of long-closed applications go; the rows and the audit trail stay;
a file another, still-kept application uses is never deleted."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from documents.types import DocumentType as D
from documents.types import OcrLine, OcrPass, OcrReading
from onboarding.service.purge import purge_documents
from security_world import ID_NUMBER, Hooked, photo

FRONT, STORE = D.ID_CARD_FRONT, D.STOREFRONT_PHOTO


def _read(services, application_id: str) -> None:
    """What the flow leaves behind: fields on each document, an OCR reading per file."""
    reading = OcrReading(engine="test-ocr 1", pipeline_version="p1",
                         passes=[OcrPass(name="full", lines=[OcrLine(text=ID_NUMBER, confidence=0.9)])])
    with services.uow() as uow:
        for document in uow.applications.get(application_id, for_update=True).documents:
            document.fields = {"id_number": {"value": ID_NUMBER, "confidence": 0.9}}
            uow.ocr_readings.add(document.sha256, document.document_type, reading, 0.1, services.clock())
        uow.commit()


def _closed(world, services, state: str, days_ago: int, docs: dict) -> str:
    application_id = world.application(services, state, docs=docs, closed_days_ago=days_ago)
    _read(services, application_id)
    return application_id


def _documents(services, application_id: str) -> list[tuple]:
    with services.uow() as uow:
        return [(d.sha256, d.purged_at, d.fields) for d in uow.applications.get(application_id).documents]


def _readings(world, sha256: str) -> int:
    return world.raw("SELECT count(*) FROM ocr_readings WHERE sha256 = :s", s=sha256)[0][0]


def test_closed_long_ago_is_purged_recent_and_open_are_not(world):
    services = world.services()
    old = {state: _closed(world, services, state, 200, {FRONT: photo(10 + i), STORE: photo(20 + i)})
           for i, state in enumerate(("rejected", "expired", "withdrawn"))}
    recent = _closed(world, services, "rejected", 20, {FRONT: photo(30)})
    open_ = _closed(world, services, "needs_documents", 200, {FRONT: photo(31)})

    report = purge_documents(services, older_than_days=180, actor="staff:ops")

    assert sorted(a.application_id for a in report.applications) == sorted(old.values())
    assert len(report.files_deleted) == 6 and report.files_kept_shared == [] and report.ocr_readings_deleted == 6
    for state, application_id in old.items():
        rows = _documents(services, application_id)
        assert len(rows) == 2 and all(purged == world.now and fields is None for _, purged, fields in rows)
        assert not any(services.blobs.exists(sha) or _readings(world, sha) for sha, _, _ in rows)
        (event,) = world.events(services, application_id, "documents_purged")
        assert event.actor == "staff:ops" and state in event.reason
        assert sorted(d["sha256"] for d in event.details["documents"]) == sorted(sha for sha, _, _ in rows)
    for application_id in (recent, open_):
        ((sha, purged, fields),) = _documents(services, application_id)
        assert purged is None and fields and services.blobs.exists(sha) and _readings(world, sha) == 1
        assert world.events(services, application_id, "documents_purged") == []


def test_a_file_shared_with_a_kept_application_stays(world):
    services = world.services()
    same_photo = photo(40)
    purged = _closed(world, services, "rejected", 400, {FRONT: same_photo, STORE: photo(41)})
    kept = _closed(world, services, "needs_documents", 0, {FRONT: same_photo})

    report = purge_documents(services, older_than_days=180)

    shared = _documents(services, kept)[0][0]
    assert report.files_kept_shared == [shared] and len(report.files_deleted) == 1
    assert services.blobs.exists(shared) and _readings(world, shared) == 1
    assert all(purged_at is not None for _, purged_at, _ in _documents(services, purged))


def test_a_file_shared_only_by_purged_applications_goes(world):
    services = world.services()
    same_photo = photo(50)
    first = _closed(world, services, "rejected", 400, {FRONT: same_photo})
    _closed(world, services, "withdrawn", 300, {FRONT: same_photo})
    report = purge_documents(services, older_than_days=180)
    sha = _documents(services, first)[0][0]
    assert report.files_deleted == [sha] and not services.blobs.exists(sha)


def test_dry_run_reports_and_changes_nothing_and_a_second_run_finds_nothing(world):
    services = world.services(retention_days=30)
    application_id = _closed(world, services, "expired", 31, {FRONT: photo(60)})
    kept = _closed(world, services, "expired", 29, {FRONT: photo(61)})
    before = world.raw("SELECT id, purged_at FROM documents ORDER BY id")

    dry = purge_documents(services, dry_run=True)  # ONBOARD_RETENTION_DAYS=30

    assert [a.application_id for a in dry.applications] == [application_id] and len(dry.files_deleted) == 1
    assert world.raw("SELECT id, purged_at FROM documents ORDER BY id") == before
    assert services.blobs.exists(dry.files_deleted[0])
    assert world.events(services, application_id, "documents_purged") == []

    assert len(purge_documents(services).applications) == 1
    again = purge_documents(services)
    assert again.applications == [] and again.files_deleted == []
    assert _documents(services, kept)[0][1] is None


def test_a_row_committed_while_the_purge_deletes_its_file_gets_the_file_back(world):
    from documents.storage import sha256_hex
    from onboarding.domain.model import Document

    services = world.services()
    same_photo = photo(70)
    _closed(world, services, "rejected", 400, {STORE: same_photo})
    kept = world.application(services, "needs_documents")
    sha = sha256_hex(same_photo)

    def upload_that_saw_the_file_before_it_was_deleted() -> None:
        with services.uow() as uow:
            uow.applications.get(kept, for_update=True).add_document(Document(
                application_id="", document_type=STORE, sha256=sha, size_bytes=len(same_photo),
                media_type="image/jpeg", uploaded_at=world.now, uploaded_by="merchant"), actor="merchant", at=world.now)
            uow.commit()

    purger = world.services()
    purger.blobs = Hooked(services.blobs, "delete", upload_that_saw_the_file_before_it_was_deleted)
    report = purge_documents(purger, older_than_days=180)

    assert report.files_kept_shared == [sha] and services.blobs.get(sha) == same_photo


def test_an_upload_whose_file_is_purged_before_it_commits_stores_it_again(world):
    from onboarding.service.submission import UploadedFile, add_documents

    services = world.services()
    same_photo = photo(80)
    _closed(world, services, "rejected", 400, {STORE: same_photo})
    kept = world.application(services, "needs_documents")

    uploader = world.services()
    uploader.blobs = Hooked(services.blobs, "stage", lambda: purge_documents(world.services(), older_than_days=180))
    add_documents(uploader, kept, [UploadedFile(STORE, same_photo)], actor="merchant")

    sha = next(s for s, purged, _ in _documents(services, kept) if purged is None)
    assert services.blobs.get(sha) == same_photo


def test_purge_command(world, monkeypatch: pytest.MonkeyPatch):
    import typer

    from onboarding.bootstrap import reset_services
    from onboarding.cli.security_commands import purge

    application_id = _closed(world, world.services(), "rejected", 400, {FRONT: photo(90)})
    monkeypatch.setenv("ONBOARD_HOME", str(world.home))
    monkeypatch.setenv("ONBOARD_DATABASE_URL", world.database_url)
    monkeypatch.setenv("ONBOARD_SECRET_KEYS", json.dumps(world.keys))
    app = typer.Typer()
    app.command()(purge)
    app.command("noop")(lambda: None)  # two commands, so typer keeps the command name
    reset_services()
    try:
        dry = CliRunner().invoke(app, ["purge", "--older-than-days", "180", "--dry-run", "--json"])
        done = CliRunner().invoke(app, ["purge", "--older-than-days", "180"])
    finally:
        reset_services()
    assert dry.exit_code == 0 and done.exit_code == 0, dry.output + done.output
    assert json.loads(dry.stdout)["documents"] == 1 and json.loads(dry.stdout)["dry_run"] is True
    assert "purged: 1 document(s) of 1 application(s)" in done.stdout
    assert len(world.events(world.services(), application_id, "documents_purged")) == 1
