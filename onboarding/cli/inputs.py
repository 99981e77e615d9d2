"""Reading what the user pointed the CLI at: the application file and `--doc TYPE=PATH` pairs."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from typing import TYPE_CHECKING

from onboarding.cli.errors import CliError

if TYPE_CHECKING:
    from documents.types import DocumentType
    from onboarding.service.submission import UploadedFile

MAX_APPLICATION_FILE_BYTES = 1024 * 1024


def read_application_file(path: Path) -> object:
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.application_input import DuplicateKey, loads_json_object_strictly

    if path.is_dir():
        raise CliError(f"{path}: is a directory, not an application file")
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    if path.stat().st_size > MAX_APPLICATION_FILE_BYTES:
        raise CliError(f"{path}: larger than {MAX_APPLICATION_FILE_BYTES} bytes; not an application file")
    try:
        return loads_json_object_strictly(path.read_bytes().decode("utf-8"))
    except DuplicateKey as error:
        raise CliError(f"{path}: {error}") from None
    except UnicodeDecodeError:
        raise CliError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise CliError(f"{path}: not valid JSON ({error.msg} at line {error.lineno})") from None
    except RecursionError:
        raise CliError(f"{path}: JSON nested too deeply; not an application file") from None
    except ValueError as error:  # e.g. an integer literal longer than Python converts
        raise CliError(f"{path}: not usable JSON ({error})") from None


def parse_document_type(value: str) -> DocumentType:
    # imported when the command runs: `onboard --help` and the other commands start without it
    from documents.types import DocumentType

    try:
        return DocumentType(value)
    except ValueError:
        known = ", ".join(t.value for t in DocumentType)
        raise CliError(f"unknown document type {value!r} (known: {known})") from None


def read_documents(specs: list[str], max_bytes: int) -> list[UploadedFile]:
    # imported when the command runs: `onboard --help` and the other commands start without it
    from onboarding.service.submission import UploadedFile

    files = []
    for spec in specs:
        kind, sep, raw_path = spec.partition("=")
        if not sep or not raw_path:
            raise CliError(f"--doc {spec!r}: expected TYPE=PATH")
        document_type = parse_document_type(kind.strip())
        path = Path(raw_path).expanduser()
        if not path.is_file():
            raise CliError(f"--doc {document_type}: {path}: no such file")
        if path.stat().st_size > max_bytes:
            raise CliError(f"--doc {document_type}: {path}: larger than {max_bytes} bytes")
        files.append(UploadedFile(document_type, path.read_bytes(), path.name))
    return files


def parse_as_of(value: str | None) -> datetime | None:
    """`--as-of`: ISO 8601 with a UTC offset (a bare local time would be ambiguous), as UTC; None for now."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CliError(f"--as-of: not an ISO 8601 date-time: {value!r}") from None
    if parsed.tzinfo is None:
        raise CliError(f"--as-of: {value!r} needs a UTC offset, e.g. 2026-12-01T09:00:00+08:00")
    return parsed.astimezone(timezone.utc)
