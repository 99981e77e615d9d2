"""Repositories: the only place that queries the session."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from documents.types import DocumentType, OcrReading
from onboarding.adapters.locking import locked
from onboarding.adapters.orm import ocr_readings, supplementary_requests, upload_links
from onboarding.domain.model import Application, Document
from onboarding.domain.requests import RequestStatus, UploadLink
from onboarding.domain.states import ApplicationState


def newest_links(application_ids: list[str]):
    """The newest upload link of each of these applications (the one a message re-sends or that staff revoked):
    application_id, sealed_token, expires_at, revoked_at."""
    L = upload_links.c
    newest = select(func.max(L.id)).where(L.application_id.in_(application_ids)).group_by(L.application_id)
    return select(L.application_id, L.sealed_token, L.expires_at, L.revoked_at).where(L.id.in_(newest))


class ApplicationNotFound(LookupError):
    def __init__(self, application_id: str) -> None:
        super().__init__(f"no application {application_id}")
        self.application_id = application_id


class ApplicationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, application: Application) -> None:
        self.session.add(application)

    def get(self, application_id: str, *, for_update: bool = False) -> Application:
        query = select(Application).where(Application.id == application_id)
        if for_update:
            query = locked(self.session, query)
        application = self.session.scalars(query).one_or_none()
        if application is None:
            raise ApplicationNotFound(application_id)
        return application

    def get_document(self, document_id: str) -> Document:
        document = self.session.get(Document, document_id)
        if document is None:
            raise LookupError(f"no document {document_id}")
        return document

    def list(self, states: list[ApplicationState] | None = None) -> list[Application]:
        query = select(Application).order_by(Application.created_at)
        if states:
            query = query.where(Application.state.in_(states))
        return list(self.session.scalars(query))

    def link_standing(self, application_ids: list[str]) -> dict[str, tuple[datetime | None, datetime | None]]:
        """Per application: when its newest upload link was revoked (None: not revoked, or no link yet) and the
        due time of its open request (None: none open). For messages to many merchants at once (a sweep's
        deposit decisions): read set-based, no aggregate loaded."""
        standing: dict[str, tuple[datetime | None, datetime | None]] = {}
        for start in range(0, len(application_ids), 500):
            chunk = application_ids[start:start + 500]
            revoked = {row.application_id: row.revoked_at for row in self.session.execute(newest_links(chunk))}
            due = dict(self.session.execute(
                select(supplementary_requests.c.application_id, supplementary_requests.c.due_at)
                .where(supplementary_requests.c.application_id.in_(chunk),
                       supplementary_requests.c.status == RequestStatus.OPEN.value)).all())
            standing |= {application_id: (revoked.get(application_id), due.get(application_id))
                         for application_id in chunk}
        return standing

    def add_links(self, links: list[dict[str, Any]]) -> None:
        """Links issued without loading their applications (see `link_standing`), as `upload_links` rows: one
        executemany, not the ORM's flush of each object (tens of thousands in a sweep)."""
        if links:
            self.session.execute(insert(upload_links), links)

    def list_by_ids(self, application_ids: list[str]) -> list[Application]:
        if not application_ids:
            return []
        return list(self.session.scalars(select(Application).where(Application.id.in_(application_ids))))

    def id_for_submission_key(self, key: str) -> str | None:
        return self.session.scalars(select(Application.id).where(Application.submission_key == key)).one_or_none()

    def count_in_states(self, application_ids: list[str], states: tuple[ApplicationState, ...]) -> int:
        query = select(func.count()).select_from(Application).where(
            Application.id.in_(application_ids), Application.state.in_(states))
        return self.session.execute(query).scalar_one()

    def stalled_ids(self, before: datetime) -> list[str]:
        """Runs that never reached a decision: still submitted or checking since before `before`."""
        query = select(Application.id).where(
            Application.state.in_([ApplicationState.SUBMITTED, ApplicationState.CHECKING]),
            Application.state_changed_at < before,
        ).order_by(Application.created_at)
        return list(self.session.scalars(query))

    def find_link(self, token_hash: str) -> UploadLink | None:
        return self.session.scalars(select(UploadLink).where(UploadLink.token_hash == token_hash)).one_or_none()


class OcrReadingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, sha256: str, document_type: DocumentType, engine: str, pipeline_version: str) -> OcrReading | None:
        row = self.session.execute(
            select(ocr_readings.c.reading).where(
                ocr_readings.c.sha256 == sha256,
                ocr_readings.c.document_type == str(document_type),
                ocr_readings.c.engine == engine,
                ocr_readings.c.pipeline_version == pipeline_version,
            )
        ).scalar_one_or_none()
        return None if row is None else OcrReading.model_validate(row)

    def remove(self, sha256: str, document_type: DocumentType) -> None:
        self.session.execute(ocr_readings.delete().where(
            ocr_readings.c.sha256 == sha256, ocr_readings.c.document_type == str(document_type)))

    def add(self, sha256: str, document_type: DocumentType, reading: OcrReading, seconds: float, at: datetime) -> None:
        if self.get(sha256, document_type, reading.engine, reading.pipeline_version) is not None:
            return
        self.session.execute(
            ocr_readings.insert().values(
                sha256=sha256, document_type=str(document_type), engine=reading.engine,
                pipeline_version=reading.pipeline_version, reading=reading.model_dump(mode="json"),
                seconds=seconds, created_at=at,
            )
        )
