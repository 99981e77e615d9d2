"""Retention: the files of closed applications, and what OCR read from them, are deleted after a while.

Applications rejected, expired or withdrawn more than `ONBOARD_RETENTION_DAYS` ago lose their document
files, OCR readings and extracted fields. The document rows stay, stamped `purged_at`, so the audit
trail still says what was received (type, size, sha256, when, from whom); each purge is an audit event.

Files are content-addressed: the same photo may belong to an application that is still open. A file
(and an OCR reading) is deleted only when no document outside the purge refers to it, and the check is
repeated after deleting, because an upload of the same bytes may commit in between (see
`submission._publish_blobs` for the other half of that hand-shake).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select

from documents.storage import BlobNotFound
from onboarding.adapters.orm import applications, documents, ocr_readings
from onboarding.domain.states import ApplicationState
from onboarding.service.ports import FileRecords

PURGEABLE_STATES = (ApplicationState.REJECTED, ApplicationState.EXPIRED, ApplicationState.WITHDRAWN)
ACTOR = "system:retention"
ACTION = "documents_purged"


@dataclass
class PurgedApplication:
    application_id: str
    state: str
    closed_at: str
    documents: list[str]


@dataclass
class PurgeReport:
    as_of: str
    retention_days: int
    cutoff: str
    dry_run: bool
    applications: list[PurgedApplication] = field(default_factory=list)
    files_deleted: list[str] = field(default_factory=list)
    files_kept_shared: list[str] = field(default_factory=list)
    ocr_readings_deleted: int = 0

    def as_dict(self) -> dict:
        data = asdict(self)
        data["documents"] = sum(len(a.documents) for a in self.applications)
        return data


def purge_documents(services: FileRecords, *, older_than_days: int | None = None, dry_run: bool = False,
                    actor: str = ACTOR) -> PurgeReport:
    days = services.settings.retention_days if older_than_days is None else older_than_days
    if days < 0:
        raise ValueError("--older-than-days must not be negative")
    now = services.clock()
    cutoff = now - timedelta(days=days)
    report = PurgeReport(as_of=now.isoformat(), retention_days=days, cutoff=cutoff.isoformat(), dry_run=dry_run)
    purged: dict[str, set[str]] = {}  # sha256 -> document ids purged now, with the document types read from it
    for application_id in _due_application_ids(services, cutoff):
        done = _purge_application(services, application_id, cutoff, now, days, dry_run, actor)
        if done is not None:
            report.applications.append(done[0])
            for sha256, document_id in done[1]:
                purged.setdefault(sha256, set()).add(document_id)
    for sha256, document_ids in sorted(purged.items()):
        _release_file(services, sha256, document_ids, dry_run, report)
    return report


def _due_application_ids(services: FileRecords, cutoff: datetime) -> list[str]:
    a, d = applications.c, documents.c
    unpurged = exists().where(d.application_id == a.id, d.purged_at.is_(None))
    query = (select(a.id).where(a.state.in_([str(s) for s in PURGEABLE_STATES]), a.state_changed_at <= cutoff,
                                unpurged).order_by(a.state_changed_at, a.id))
    with services.uow() as uow:
        return list(uow.session.scalars(query))


def _purge_application(services: FileRecords, application_id: str, cutoff: datetime, now: datetime, days: int,
                       dry_run: bool, actor: str):
    with services.uow() as uow:
        application = uow.applications.get(application_id, for_update=True)
        closed_at = application.state_changed_at or application.created_at
        if application.state not in PURGEABLE_STATES or closed_at > cutoff:  # re-checked under the lock
            return None
        # `purged_at` is mapped onto Document from the table; the domain class does not declare it (yet).
        due = [d for d in application.documents if getattr(d, "purged_at", None) is None]
        if not due:
            return None
        summary = PurgedApplication(application.id, str(application.state), closed_at.isoformat(),
                                    [d.id for d in due])
        if not dry_run:
            for document in due:
                document.purged_at = now
                document.fields = None  # extracted from the file: ID and card numbers
            application.record(at=now, actor=actor, action=ACTION,
                               reason=f"retention: {days} days after {application.state}",
                               details={"documents": [{"document_id": d.id, "document_type": str(d.document_type),
                                                       "sha256": d.sha256} for d in due]})
            uow.commit()
        return summary, [(d.sha256, d.id) for d in due]


def _release_file(services: FileRecords, sha256: str, purged_ids: set[str], dry_run: bool, report: PurgeReport) -> None:
    if _still_used(services, sha256, purged_ids):
        report.files_kept_shared.append(sha256)
        return
    if dry_run:
        report.files_deleted.append(sha256)
        return
    report.ocr_readings_deleted += _delete_readings(services, sha256)
    if _delete_blob_unless_used(services, sha256, purged_ids):
        report.files_deleted.append(sha256)
    else:
        report.files_kept_shared.append(sha256)


def _still_used(services: FileRecords, sha256: str, purged_ids: set[str]) -> bool:
    """Does a document outside this purge refer to the file? (In a dry run nothing is marked yet.)"""
    d = documents.c
    query = select(exists().where(d.sha256 == sha256, d.purged_at.is_(None), d.id.not_in(purged_ids)))
    with services.uow() as uow:
        return bool(uow.session.scalar(query))


def _delete_readings(services: FileRecords, sha256: str) -> int:
    # A reading deleted while an upload of the same bytes commits is merely computed again for it.
    with services.uow() as uow:
        deleted = uow.session.execute(delete(ocr_readings).where(ocr_readings.c.sha256 == sha256)).rowcount
        uow.commit()
        return deleted


def _delete_blob_unless_used(services: FileRecords, sha256: str, purged_ids: set[str]) -> bool:
    """Delete, then look again: an upload of the same bytes that committed meanwhile gets the file back."""
    try:
        data = services.blobs.get(sha256)
    except BlobNotFound:
        return True
    services.blobs.delete(sha256)
    if _still_used(services, sha256, purged_ids):
        services.blobs.put(data)
        return False
    return True
