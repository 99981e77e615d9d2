"""The streaming upload reader: it judges each part as it arrives and stops pulling once it has refused."""
from __future__ import annotations

import asyncio

import pytest

from onboarding.portal.uploads import UploadProblem, read_upload, safe_source_name
from tests.integration.portal.conftest import photo_bytes

BOUNDARY = "----portal-test"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def part(name: str, filename: str | None, data: bytes) -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
    return f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + data + b"\r\n"


def body(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


class Stream:
    """Yields `data` in chunks and counts how much the reader pulled."""

    def __init__(self, data: bytes, chunk: int = 256, then_forever: bool = False) -> None:
        self.data, self.chunk, self.then_forever, self.pulled = data, chunk, then_forever, 0

    async def __aiter__(self):
        for start in range(0, len(self.data), self.chunk):
            self.pulled += self.chunk
            yield self.data[start:start + self.chunk]
        while self.then_forever:  # a client that would keep sending: the reader must stop on its own
            self.pulled += self.chunk
            yield b"\0" * self.chunk


def read(stream: Stream, allowed=("id_card_back", "storefront_photo"), max_file_bytes: int = 1_000_000):
    return asyncio.run(read_upload(stream.__aiter__(), CONTENT_TYPE, allowed_fields=set(allowed),
                                   max_file_bytes=max_file_bytes))


def test_files_arrive_whole_whatever_the_chunk_size():
    jpeg, png = photo_bytes(1), photo_bytes(2, fmt="PNG")
    data = body(part("note", None, b"hello"), part("id_card_back", "a/b\\back.jpg", jpeg),
                part("storefront_photo", "shop.png", png))
    for chunk in (1, 7, 511, 4096, len(data)):
        files = read(Stream(data, chunk))
        assert [(f.field_name, f.source_name, bytes(f.data), f.media_type) for f in files] == [
            ("id_card_back", "back.jpg", jpeg, "image/jpeg"), ("storefront_photo", "shop.png", png, "image/png")]


def test_a_gif_is_refused_after_its_first_bytes():
    gif = b"GIF89a" + b"\0" * 600
    stream = Stream(body(part("id_card_back", "x.gif", gif))[:-10], chunk=128, then_forever=True)
    with pytest.raises(UploadProblem) as refused:
        read(stream)
    assert (refused.value.status, refused.value.code) == (415, "document_type_mismatch")
    assert stream.pulled <= 1024


def test_an_endless_file_is_refused_as_soon_as_it_passes_the_limit():
    stream = Stream(body(part("id_card_back", "x.jpg", photo_bytes(3)))[:-200], chunk=1024, then_forever=True)
    with pytest.raises(UploadProblem) as refused:
        read(stream, max_file_bytes=50_000)
    assert (refused.value.status, refused.value.code) == (413, "document_too_large")
    assert stream.pulled <= 50_000 + 2 * 1024


def test_a_field_that_was_not_asked_for_is_refused_before_its_data():
    stream = Stream(body(part("business_license", "l.jpg", photo_bytes(4))), chunk=64, then_forever=True)
    with pytest.raises(UploadProblem) as refused:
        read(stream)
    assert (refused.value.code, refused.value.document_type) == ("document_not_requested", "business_license")
    assert stream.pulled <= 256


@pytest.mark.parametrize("data, content_type, code", [
    (b"not multipart at all", CONTENT_TYPE, "malformed_upload"),
    (body(part("id_card_back", "", b"")), CONTENT_TYPE, "no_documents"),
    (body(part("id_card_back", "a.jpg", photo_bytes(5)), part("id_card_back", "b.jpg", photo_bytes(6))),
     CONTENT_TYPE, "duplicate_document_type"),
    (body(part("id_card_back", "a.jpg", photo_bytes(5))), "application/json", "malformed_upload"),
    (body(part("id_card_back", "a.jpg", photo_bytes(5)))[:-30], CONTENT_TYPE, "malformed_upload"),
    (body(part("note", None, b"x" * 5000)), CONTENT_TYPE, "malformed_upload"),
])
def test_bodies_that_are_not_a_proper_upload_are_refused(data, content_type, code):
    async def run():
        async def chunks():
            yield data
        return await read_upload(chunks(), content_type, allowed_fields={"id_card_back"}, max_file_bytes=10**6)

    with pytest.raises(UploadProblem) as refused:
        asyncio.run(run())
    assert refused.value.code == code


@pytest.mark.parametrize("raw, kept", [("../../etc/passwd", "passwd"), ("C:\\x\\证件.jpg", "证件.jpg"),
                                       ("a\x00b\r\n.jpg", "ab.jpg"), ("", None), ("///", None)])
def test_a_file_name_is_only_ever_a_label(raw, kept):
    assert safe_source_name(raw) == kept
