"""Reading the merchant's forms after approval (complaints, changes, codes): a few short text fields and at
most a file or two, judged while they stream in exactly like the upload page's files (`uploads`)."""
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from python_multipart.multipart import MultipartParser, parse_options_header

from onboarding.portal.uploads import ReceivedFile, UploadProblem, _PartCollector, request_size_cap

MAX_TEXT_BYTES = 8 * 1024  # a complaint's words; nothing a merchant types is longer


@dataclass
class ReceivedForm:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[ReceivedFile] = field(default_factory=list)

    def text(self, name: str) -> str:
        return self.fields.get(name, "").strip()


class _FormCollector(_PartCollector):
    """The upload reader's collector, keeping the named text fields instead of dropping them."""

    def __init__(self, file_fields: set[str], text_fields: set[str], max_file_bytes: int) -> None:
        super().__init__(file_fields, max_file_bytes)
        self.text_fields = text_fields
        self.texts: dict[str, str] = {}
        self._text_name: str | None = None
        self._text = bytearray()

    def _part_begin(self) -> None:
        super()._part_begin()
        self._text_name, self._text = None, bytearray()

    def _headers_finished(self) -> None:
        disposition, params = parse_options_header(self._headers.get("content-disposition"))
        if disposition == b"form-data" and b"name" in params and b"filename" not in params:
            name = params[b"name"].decode("utf-8", "replace")
            if name in self.text_fields:
                self._text_name = name
                return
        super()._headers_finished()

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._text_name is None:
            super()._part_data(data, start, end)
            return
        self._text += data[start:end]
        if len(self._text) > MAX_TEXT_BYTES:
            raise UploadProblem(400, "malformed_upload")

    def _part_end(self) -> None:
        if self._text_name is None:
            super()._part_end()
            return
        try:
            self.texts[self._text_name] = self._text.decode("utf-8")
        except UnicodeDecodeError:
            raise UploadProblem(400, "malformed_upload") from None


async def read_form(chunks: AsyncIterator[bytes], content_type: str | None, *, text_fields: set[str],
                    file_fields: set[str], max_file_bytes: int) -> ReceivedForm:
    """The form's named text fields and its non-empty files (sniffed, within the size limit); no file is fine."""
    kind, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary or len(boundary) > 200:
        raise UploadProblem(400, "malformed_upload")
    max_total = request_size_cap(max_file_bytes, len(file_fields)) + MAX_TEXT_BYTES * len(text_fields)
    collector = _FormCollector(file_fields, text_fields, max_file_bytes)
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
    return ReceivedForm(fields=collector.texts, files=collector.files)
