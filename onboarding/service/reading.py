"""Reading documents: OCR of each stored file (once per file content, ever) and field extraction.

Readings are kept by (file sha256, document type, engine version, pipeline version), so a rerun, a retry
or the same file in another application reads nothing again. The OCR itself runs on the worker processes
(`Services.ocr_workers`), several documents at a time; each reading is stored the moment it arrives, so a
crash loses only the reads still in flight.
"""
from __future__ import annotations

import threading
from concurrent.futures import Future, as_completed
from dataclasses import dataclass
from typing import TYPE_CHECKING

from documents.fields import extract_fields
from documents.types import DocumentType, ExtractedField
from onboarding.domain.model import Document
from onboarding.service.ports import ReadServices

if TYPE_CHECKING:
    from documents.ocr.workers import TimedReading


@dataclass(frozen=True)
class DocumentSource:
    document_id: str
    sha256: str
    document_type: DocumentType
    already_read: bool


class DocumentsUnread(RuntimeError):
    """Some documents could not be read; the others' readings are stored, so a retry reads only these."""


def read_documents(services: ReadServices, document_ids: list[str]) -> dict[str, dict[str, ExtractedField]]:
    """OCR (where no reading is kept yet) and extraction of these documents; their fields by document id."""
    sources = [document_source(services, document_id) for document_id in document_ids]
    in_flight: dict[Future[TimedReading], DocumentSource] = {
        ocr_submit(services, source): source for source in sources if not source.already_read}
    failures = []
    for future in as_completed(in_flight):
        source = in_flight[future]
        try:
            store_reading(services, source, future.result())
        except Exception as error:  # keep the others' readings; the task's retry reads only what failed
            failures.append(f"{source.document_type} ({source.document_id}): {type(error).__name__}: {error}")
    if failures:
        raise DocumentsUnread(f"{len(failures)} document(s) not read: " + "; ".join(failures))
    return {source.document_id: extract_document(services, source.document_id) for source in sources}


def document_source(services: ReadServices, document_id: str) -> DocumentSource:
    with services.uow() as uow:
        return _source(services, uow, uow.applications.get_document(document_id))


def _source(services: ReadServices, uow, document: Document) -> DocumentSource:
    kept = uow.ocr_readings.get(document.sha256, document.document_type,
                                services.ocr.version, services.ocr.pipeline_version)
    return DocumentSource(document.id, document.sha256, DocumentType(document.document_type), kept is not None)


def read_ahead(services: ReadServices, application_ids: list[str]) -> int:
    """Starts OCR of these applications' unread documents now, before their flow runs (while the orchestrator
    starts): the flow's read joins each read in flight instead of starting another. Returns how many are read."""
    with services.uow() as uow:
        sources = [_source(services, uow, document) for application_id in application_ids
                   for document in uow.applications.get(application_id).documents_to_read()]
    unread = [source for source in sources if not source.already_read]
    for source in unread:
        ocr_submit(services, source)
    return len(unread)


class ReadsInFlight:
    """OCR futures by (sha256, document type) until their reading is stored, so that a read started ahead
    (or by another application with the same file) is joined, never repeated."""

    def __init__(self) -> None:
        self._futures: dict[tuple[str, str], Future[TimedReading]] = {}
        self._lock = threading.Lock()

    def join_or_start(self, key: tuple[str, str], start) -> Future[TimedReading]:
        with self._lock:
            future = self._futures.get(key)
            if future is None or future.cancelled() or (future.done() and future.exception() is not None):
                future = self._futures[key] = start()
            return future

    def stored(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._futures.pop(key, None)


def ocr_submit(services: ReadServices, source: DocumentSource) -> Future[TimedReading]:
    return services.reads_in_flight.join_or_start(
        (source.sha256, str(source.document_type)),
        lambda: services.ocr_workers.submit(services.blobs.get(source.sha256), source.document_type))


def store_reading(services: ReadServices, source: DocumentSource, timed: TimedReading) -> None:
    with services.uow() as uow:
        uow.ocr_readings.add(source.sha256, source.document_type, timed.reading, timed.seconds, services.clock())
        uow.commit()
    services.reads_in_flight.stored((source.sha256, str(source.document_type)))


def extract_document(services: ReadServices, document_id: str) -> dict[str, ExtractedField]:
    with services.uow() as uow:
        document = uow.applications.get_document(document_id)
        reading = uow.ocr_readings.get(document.sha256, document.document_type,
                                       services.ocr.version, services.ocr.pipeline_version)
        if reading is None:
            raise RuntimeError(f"document {document_id} has no OCR reading yet")
        fields = extract_fields(reading, document.document_type)
        document.fields = {name: field.model_dump() for name, field in fields.items()}
        document.ocr_engine = reading.engine
        uow.commit()
        return fields


def forget_ocr_readings(services: ReadServices, application_id: str) -> None:
    """For `rerun --from ocr`: the next run reads this application's files afresh."""
    with services.uow() as uow:
        for document in uow.applications.get(application_id).current_documents().values():
            uow.ocr_readings.remove(document.sha256, document.document_type)
        uow.commit()
