"""Bulk submission: a folder of applications (a partner's export, a branch's backlog) in one go.

All or nothing for bad input: every application file and every document passes its checks before the
first application is stored, so a refusal names the application and file and leaves nothing behind.
Files are read twice rather than held, so a batch of thousands needs the memory of one application per core.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from documents.intake import Inspection
from documents.types import DocumentType
from onboarding.service.application_input import ApplicationInput, loads_json_object_strictly, parse_application
from rules.deposit_policy import load_deposit_policies
from onboarding.service.ports import FileRecords
from onboarding.service.submission import (
    UploadedFile,
    UploadRefused,
    check_files,
    submission_key,
    submit_application,
)

APPLICATION_FILE = "application.json"
MAX_APPLICATION_FILE_BYTES = 1024 * 1024


class BatchRefused(ValueError):
    """One application of the batch is bad; nothing of the batch was stored."""


@dataclass(frozen=True)
class BatchEntry:
    name: str  # the application's folder, as the user knows it
    folder: Path
    documents: dict[DocumentType, Path]


@dataclass(frozen=True)
class _Checked:
    entry: BatchEntry
    payload: ApplicationInput
    inspections: list[Inspection]  # without pixels: only what is recorded about each file


def find_entries(directory: Path) -> list[BatchEntry]:
    """Every sub-folder holding an application.json, with its documents named `<document type>.<ext>`."""
    if not directory.is_dir():
        raise BatchRefused(f"{directory}: not a directory")
    entries = []
    for folder in sorted(p for p in directory.iterdir() if p.is_dir()):
        if not (folder / APPLICATION_FILE).is_file():
            raise BatchRefused(f"{folder.name}: no {APPLICATION_FILE}")
        documents: dict[DocumentType, Path] = {}
        for path in sorted(p for p in folder.iterdir() if p.is_file() and p.name != APPLICATION_FILE):
            try:
                document_type = DocumentType(path.stem)
            except ValueError:
                known = ", ".join(t.value for t in DocumentType)
                raise BatchRefused(f"{folder.name}/{path.name}: not named after a document type ({known})") from None
            if document_type in documents:
                raise BatchRefused(f"{folder.name}: two files for {document_type}")
            documents[document_type] = path
        entries.append(BatchEntry(folder.name, folder, documents))
    if not entries:
        raise BatchRefused(f"{directory}: no application folders (each needs an {APPLICATION_FILE})")
    return entries


@dataclass(frozen=True)
class Submitted:
    name: str
    application_id: str
    earlier: bool  # stored by an earlier load of the same content; nothing was stored now


def submit_batch(services: FileRecords, entries: list[BatchEntry], *, actor: str,
                 stored: Callable[[str], None] | None = None) -> list[Submitted]:
    """Checks every application, then stores them all, in the order given, telling `stored` of each id as soon
    as it is stored (so its OCR can start while the rest are stored).

    An application already stored by an earlier load of the same content is not stored again: loading a
    folder twice (or again after a crash part-way) gives the same ids, and its runs reuse what was done."""
    # The gate decodes every image, most of a batch's intake time; decoding releases the GIL, so one thread per
    # core checks a folder about twice as fast on two cores. The first refusal in folder order is the one raised,
    # and the checks not yet begun are dropped.
    pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="batch-check")
    try:
        checked = list(pool.map(partial(_check, services), entries))
    finally:
        pool.shutdown(cancel_futures=True)
    submitted = []
    for c in checked:
        files = _read_files(services, c.entry)
        key = submission_key(c.payload, files)
        with services.uow() as uow:
            earlier = uow.applications.id_for_submission_key(key)
        application_id = earlier or submit_application(services, c.payload, files, actor=actor,
                                                       inspections=c.inspections, key=key)
        submitted.append(Submitted(c.entry.name, application_id, earlier is not None))
        if stored is not None:
            stored(application_id)
    return submitted


def _check(services: FileRecords, entry: BatchEntry) -> _Checked:
    try:
        models = load_deposit_policies(services.settings.rules_dir).models
        payload = parse_application(_read_json(entry.folder / APPLICATION_FILE), models)
        inspections = check_files(services, _read_files(services, entry))
    except ValueError as problem:  # InvalidApplication, UploadRefused and unreadable JSON
        raise BatchRefused(f"{entry.name}: {str(problem).splitlines()[0]}") from None
    return _Checked(entry, payload, [i.model_copy(update={"image": None}) for i in inspections])


def _read_files(services: FileRecords, entry: BatchEntry) -> list[UploadedFile]:
    limit = services.settings.max_upload_bytes
    files = []
    for document_type, path in entry.documents.items():
        if path.stat().st_size > limit:
            raise UploadRefused("document_too_large", f"{path.name}: larger than {limit} bytes", document_type)
        files.append(UploadedFile(document_type, path.read_bytes(), path.name))
    return files


def _read_json(path: Path) -> object:
    if path.stat().st_size > MAX_APPLICATION_FILE_BYTES:
        raise ValueError(f"{path.name}: larger than {MAX_APPLICATION_FILE_BYTES} bytes")
    try:
        return loads_json_object_strictly(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ValueError(f"{path.name}: not valid UTF-8 JSON ({type(error).__name__})") from None

