"""Use cases that take documents in: a new application, or more documents for an existing one.

Every file passes the intake gate before anything is stored. Files are written under a staging name
before the rows that point at them, moved into place once those rows commit, and removed if the rows
cannot be written, so a refusal leaves nothing behind; a process killed in between leaves only staging
files, which the sweep removes (`service.staging`).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from documents.intake import Inspection, IntakeRefused, inspect_upload
from documents.storage import StagedBlob, sha256_hex
from documents.types import DocumentType
from onboarding.domain.model import Application, Document
from onboarding.domain.states import SETTLED_STATES
from onboarding.service.application_input import ApplicationInput, InvalidApplication, known_device_model
from onboarding.service.ports import FileRecords
from onboarding.service.search_index import index_application
from rules.deposit_policy import load_deposit_policies


@dataclass(frozen=True)
class UploadedFile:
    document_type: DocumentType
    data: bytes
    source_name: str | None = None


class UploadRefused(ValueError):
    """A file failed the intake gate or the upload is not allowed; nothing was stored."""

    def __init__(self, code: str, message: str, document_type: DocumentType | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.document_type = document_type


def _inspect_all(services: FileRecords, files: list[UploadedFile]) -> list[Inspection]:
    seen: set[DocumentType] = set()
    inspections = []
    for file in files:
        if file.document_type in seen:
            raise UploadRefused("duplicate_document_type", f"{file.document_type} given twice", file.document_type)
        seen.add(file.document_type)
        try:
            inspections.append(inspect_upload(file.data, file.document_type, services.intake_limits, keep_image=False))
        except IntakeRefused as refusal:
            name = file.source_name or str(file.document_type)
            raise UploadRefused(refusal.code, f"{file.document_type} ({name}): {refusal}", file.document_type) from None
    return inspections


def _store_blobs(services: FileRecords, files: list[UploadedFile]) -> list[StagedBlob]:
    """Stages every file; none is a stored document until `_publish_blobs` after the rows commit."""
    staged: list[StagedBlob] = []
    try:
        for file in files:
            staged.append(services.blobs.stage(file.data))
    except BaseException:
        _remove_blobs(services, staged)
        raise
    return staged


def _remove_blobs(services: FileRecords, staged: list[StagedBlob]) -> None:
    for blob in staged:
        services.blobs.discard(blob)


def _publish_blobs(services: FileRecords, staged: list[StagedBlob]) -> None:
    """After the rows commit. A blob already stored stays as it is (its staged copy goes); one purged since
    we staged (`service.purge` deletes, then looks for rows like ours) is put back by the move."""
    for blob in staged:
        services.blobs.publish(blob)


def _documents(services: FileRecords, files: list[UploadedFile], inspections: list[Inspection], actor: str):
    now = services.clock()
    for file, inspection in zip(files, inspections):
        yield Document(
            application_id="", document_type=file.document_type, sha256=inspection.sha256,
            size_bytes=len(file.data), media_type=inspection.media_type, uploaded_at=now, uploaded_by=actor,
            width=inspection.width, height=inspection.height, blur_score=inspection.blur_score,
            source_name=(file.source_name or "")[-255:] or None,
        )


def check_files(services: FileRecords, files: list[UploadedFile]) -> list[Inspection]:
    """The intake gate for every file of one submission; raises `UploadRefused` for the first bad one."""
    return _inspect_all(services, files)


def submission_key(payload: ApplicationInput, files: list[UploadedFile]) -> str:
    """The same application with the same files gives the same key, however it was laid out on disk."""
    parts = [payload.model_dump_json()] + sorted(f"{f.document_type}:{sha256_hex(f.data)}" for f in files)
    return sha256_hex("\n".join(parts).encode())


def submit_application(services: FileRecords, payload: ApplicationInput, files: list[UploadedFile], *, actor: str,
                       inspections: list[Inspection] | None = None, key: str | None = None) -> str:
    """`inspections`: what `check_files` said of these very files, when the caller checked them already.
    `key` (bulk loads): when an application was already submitted under it, that one's id, and nothing stored."""
    if key is not None and (existing := _submitted_under(services, key)):
        return existing
    try:  # whoever parsed the payload: no application is stored for a model nobody can ship
        models = load_deposit_policies(services.settings.rules_dir).models
        payload = payload.model_copy(update={"device_model": known_device_model(payload.device_model, models)})
    except ValueError as error:
        raise InvalidApplication("device_model", str(error)) from None
    inspections = inspections if inspections is not None else _inspect_all(services, files)
    if [i.sha256 for i in inspections] != [sha256_hex(f.data) for f in files]:
        raise UploadRefused("document_changed", "a file changed after it was checked; submit it again")
    created = _store_blobs(services, files)
    try:
        with services.uow() as uow:
            now = services.clock()
            account = payload.settlement_account
            application = Application(
                merchant_type=payload.merchant_type, legal_name=payload.legal_name, id_number=payload.id_number,
                phone=payload.phone, email=payload.email, business_name=payload.business_name,
                business_address=payload.business_address, settlement_holder_name=account.holder_name,
                settlement_number=account.number, settlement_bank=account.bank_name,
                device_model=payload.device_model, created_at=now, state_changed_at=now, submission_key=key,
            )
            application.record(at=now, actor=actor, action="submitted", to_state=str(application.state))
            for document in _documents(services, files, inspections, actor):
                application.add_document(document, actor=actor, at=now)
            uow.applications.add(application)
            index_application(services, uow, application)  # searchable by staff from the first moment
            uow.commit()
    except IntegrityError:
        _remove_blobs(services, created)
        if key is not None and (existing := _submitted_under(services, key)):
            return existing  # the same load running at the same time stored it (and its files) first
        raise
    except BaseException:
        _remove_blobs(services, created)
        raise
    _publish_blobs(services, created)
    return application.id


def _submitted_under(services: FileRecords, key: str) -> str | None:
    with services.uow() as uow:
        return uow.applications.id_for_submission_key(key)


def add_documents(services: FileRecords, application_id: str, files: list[UploadedFile], *, actor: str) -> int:
    """Returns how many documents were new (the same file again is accepted and changes nothing)."""
    if not files:
        raise UploadRefused("no_documents", "no documents given")
    inspections = _inspect_all(services, files)
    with services.uow() as uow:  # refuse before storing anything
        state = uow.applications.get(application_id).state
    if state in SETTLED_STATES:
        raise UploadRefused("application_closed", f"application {application_id} is {state}; it takes no more documents")
    created = _store_blobs(services, files)
    try:
        with services.uow() as uow:
            application = uow.applications.get(application_id, for_update=True)
            if application.state in SETTLED_STATES:  # closed while the files were being stored
                raise UploadRefused("application_closed",
                                    f"application {application_id} is {application.state}; it takes no more documents")
            now = services.clock()
            added = sum(application.add_document(doc, actor=actor, at=now)
                        for doc in _documents(services, files, inspections, actor))
            uow.commit()
    except BaseException:
        _remove_blobs(services, created)
        raise
    _publish_blobs(services, created)
    return added
