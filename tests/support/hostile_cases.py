"""The hostile corpus as `onboard submit` invocations: each case writes its files and returns its arguments.

Three families: a hostile document next to a good one, a hostile application file, and hostile
command-line arguments. Every case must end in exit 2, one line on stderr, nothing stored.
"""
from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from documents.types import DocumentType
from tests.support.applications import as_json_bytes, valid_application
from tests.support.hostile_applications import hostile_applications
from tests.support.hostile_documents import hostile_documents
from tests.support.image_bytes import clean_png

GOOD_DOCUMENT_TYPE = DocumentType.STOREFRONT_PHOTO
DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024

Prepare = Callable[[Path], list[str]]


@dataclass(frozen=True)
class HostileCase:
    name: str
    family: str
    prepare: Prepare  # writes into an empty folder, returns the arguments after `onboard submit`
    mentions: tuple[str, ...] = ()
    known_bug: str | None = None

    @property
    def id(self) -> str:
        return f"{self.family}:{self.name}"


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _valid_application_file(folder: Path) -> Path:
    return _write(folder, "application.json", as_json_bytes(valid_application()))


def _good_document(folder: Path) -> Path:
    return _write(folder, "storefront.png", clean_png())


def _submit_with(folder: Path, *doc_specs: str) -> list[str]:
    """A valid application, the good storefront photo first, then `doc_specs`; always with --json."""
    args = [str(_valid_application_file(folder)), "--doc", f"{GOOD_DOCUMENT_TYPE}={_good_document(folder)}"]
    for spec in doc_specs:
        args += ["--doc", spec]
    return args + ["--json"]


# Every type but the good photo's, so each hostile file is tried as a different kind of document.
_HOSTILE_DOCUMENT_TYPES = [t for t in DocumentType if t != GOOD_DOCUMENT_TYPE]


def _document_cases() -> list[HostileCase]:
    cases = []
    for document, document_type in zip(hostile_documents(), itertools.cycle(_HOSTILE_DOCUMENT_TYPES)):
        def prepare(folder: Path, document=document, document_type=document_type) -> list[str]:
            (folder / "upload").mkdir()
            path = _write(folder / "upload", document.filename, document.data())
            return _submit_with(folder, f"{document_type}={path}")

        cases.append(HostileCase(document.name, "document", prepare,
                                 (str(document_type), *document.mentions)))
    return cases


def _application_cases() -> list[HostileCase]:
    cases = []
    for application in hostile_applications():
        def prepare(folder: Path, application=application) -> list[str]:
            path = _write(folder, "hostile-application.json", application.data())
            return [str(path), "--doc", f"{GOOD_DOCUMENT_TYPE}={_good_document(folder)}", "--json"]

        cases.append(HostileCase(application.name, "application", prepare, application.mentions,
                                 application.known_bug))
    return cases


def _oversized_document(folder: Path) -> list[str]:
    big = folder / "huge.jpg"
    with big.open("wb") as handle:
        handle.write(clean_png())
        handle.truncate(DEFAULT_MAX_UPLOAD_BYTES + 1)
    return _submit_with(folder, f"id_card_front={big}")


def _symlink(folder: Path, target: str) -> Path:
    link = folder / "linked.jpg"
    os.symlink(target, link)
    return link


def _argument_cases() -> list[HostileCase]:
    C = HostileCase
    return [
        C("application_file_missing", "arguments", lambda f: [str(f / "missing.json"), "--json"], ("no such file",)),
        C("application_file_is_directory", "arguments", lambda f: [str(f), "--json"], ("is a directory",)),
        C("doc_spec_without_equals", "arguments", lambda f: _submit_with(f, "id_card_front"), ("TYPE=PATH",)),
        C("doc_spec_empty_path", "arguments", lambda f: _submit_with(f, "id_card_front="), ("TYPE=PATH",)),
        C("doc_unknown_type", "arguments", lambda f: _submit_with(f, f"passport={_good_document(f)}"),
          ("unknown document type",)),
        C("doc_type_path_traversal", "arguments", lambda f: _submit_with(f, f"../../etc/passwd={_good_document(f)}"),
          ("unknown document type",)),
        C("doc_missing_file", "arguments", lambda f: _submit_with(f, f"id_card_front={f / 'nope.jpg'}"),
          ("no such file",)),
        C("doc_is_directory", "arguments", lambda f: _submit_with(f, f"id_card_front={f}"), ("no such file",)),
        C("doc_symlink_to_dev_zero", "arguments",
          lambda f: _submit_with(f, f"id_card_front={_symlink(f, '/dev/zero')}"),
          ("no such file",)),
        C("doc_symlink_to_etc_passwd", "arguments",
          lambda f: _submit_with(f, f"id_card_front={_symlink(f, '/etc/passwd')}"), ("id_card_front",)),
        C("doc_over_size_limit", "arguments", _oversized_document, ("larger than",)),
        C("doc_type_given_twice", "arguments",
          lambda f: _submit_with(f, f"{GOOD_DOCUMENT_TYPE}={_good_document(f)}"), ("twice",)),
    ]


def hostile_cases() -> list[HostileCase]:
    cases = _document_cases() + _application_cases() + _argument_cases()
    ids = [case.id for case in cases]
    assert len(ids) == len(set(ids)), "case names must be unique"
    return cases
