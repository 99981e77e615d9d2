"""Reading a multipart upload as it streams in: refuse early, hold at most one limit's worth per file.

Starlette's `request.form()` spools every file whole before the handler sees it. Here each part is
judged while it arrives: its field name before any data, its type from the first bytes, its size
on every chunk, so a 2 GB video stops after one limit's worth and a GIF after a few hundred bytes.
"""
from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from python_multipart.multipart import MultipartParser, parse_options_header

from documents.sniffing import ACCEPTED_MEDIA_TYPES, SNIFF_BYTES, sniff_media_type

MAX_FIELD_BYTES = 1024  # non-file fields are ignored, but may not be big
MAX_PARTS = 20
ENVELOPE_BYTES = 64 * 1024  # multipart headers and boundaries on top of the files themselves


class UploadProblem(Exception):
    """The upload is refused while reading; `status` is the HTTP status, `code` the text key."""

    def __init__(self, status: int, code: str, document_type: str | None = None) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.document_type = document_type


@dataclass
class ReceivedFile:
    field_name: str
    source_name: str | None
    data: bytearray = field(default_factory=bytearray)
    media_type: str | None = None


def safe_source_name(raw: str | None) -> str | None:
    """Kept as a label for staff only, never as a path: last path component, printable, bounded."""
    if not raw:
        return None
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] not in "CZ" or c == " ").strip()
    return name[-200:] or None


def request_size_cap(max_file_bytes: int, file_count: int) -> int:
    return max_file_bytes * max(file_count, 1) + ENVELOPE_BYTES


class _PartCollector:
    def __init__(self, allowed_fields: set[str], max_file_bytes: int) -> None:
        self.allowed_fields = allowed_fields
        self.max_file_bytes = max_file_bytes
        self.files: list[ReceivedFile] = []
        self.parts = 0
        self.finished = False
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._headers: dict[str, bytes] = {}
        self._current: ReceivedFile | None = None
        self._ignored_bytes = 0

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._part_begin, "on_header_field": self._header_field,
            "on_header_value": self._header_value_data, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished, "on_part_data": self._part_data,
            "on_part_end": self._part_end, "on_end": self._end,
        }

    def _part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise UploadProblem(400, "malformed_upload")
        self._headers, self._current, self._ignored_bytes = {}, None, 0

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[bytes(self._header_name).decode("latin-1").lower()] = bytes(self._header_value)
        self._header_name, self._header_value = bytearray(), bytearray()

    def _headers_finished(self) -> None:
        disposition, params = parse_options_header(self._headers.get("content-disposition"))
        if disposition != b"form-data" or b"name" not in params:
            raise UploadProblem(400, "malformed_upload")
        name = params[b"name"].decode("utf-8", "replace")
        if b"filename" not in params:
            return  # a plain form field: read and dropped
        if name not in self.allowed_fields:
            raise UploadProblem(400, "document_not_requested", name)
        self._current = ReceivedFile(name, safe_source_name(params[b"filename"].decode("utf-8", "replace")))

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        current = self._current
        if current is None:
            self._ignored_bytes += end - start
            if self._ignored_bytes > MAX_FIELD_BYTES:
                raise UploadProblem(400, "malformed_upload")
            return
        current.data += data[start:end]
        if len(current.data) > self.max_file_bytes:
            raise UploadProblem(413, "document_too_large", current.field_name)
        if current.media_type is None and len(current.data) >= SNIFF_BYTES:
            self._sniff(current)

    def _sniff(self, current: ReceivedFile) -> None:
        current.media_type = sniff_media_type(bytes(current.data[:SNIFF_BYTES]))
        if current.media_type not in ACCEPTED_MEDIA_TYPES:
            raise UploadProblem(415, "document_type_mismatch", current.field_name)

    def _part_end(self) -> None:
        current = self._current
        if current is None:
            return
        if not current.data:
            if current.source_name:  # a chosen file that is empty
                raise UploadProblem(400, "document_corrupt", current.field_name)
            return  # a file input left empty arrives as an empty part without a file name
        if current.media_type is None:
            self._sniff(current)
        if any(f.field_name == current.field_name for f in self.files):
            raise UploadProblem(400, "duplicate_document_type", current.field_name)
        self.files.append(current)

    def _end(self) -> None:
        self.finished = True


async def read_upload(chunks: AsyncIterator[bytes], content_type: str | None, *, allowed_fields: set[str],
                      max_file_bytes: int) -> list[ReceivedFile]:
    """The non-empty files of a multipart/form-data body, each sniffed and within the size limit."""
    kind, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary or len(boundary) > 200:
        raise UploadProblem(400, "malformed_upload")
    max_total = request_size_cap(max_file_bytes, len(allowed_fields))
    collector = _PartCollector(allowed_fields, max_file_bytes)
    parser = MultipartParser(boundary, collector.callbacks())
    received = 0
    try:
        async for chunk in chunks:
            received += len(chunk)
            if received > max_total:
                raise UploadProblem(413, "document_too_large")
            parser.write(chunk)
        parser.finalize()
    except UploadProblem:
        raise
    except Exception:  # the parser's own errors: a body that is not the multipart it claims
        raise UploadProblem(400, "malformed_upload") from None
    if not collector.finished:
        raise UploadProblem(400, "malformed_upload")
    if not collector.files:
        raise UploadProblem(400, "no_documents")
    return collector.files
