"""Recognise a file by its bytes, never by its name, and spot files that are two formats at once.

`sniff_media_type` needs only the first few hundred bytes, so an upload handler can
refuse a GIF or an HTML page before it has read the rest of the body.
"""
from __future__ import annotations

import struct
import zlib

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
PDF = "application/pdf"

ACCEPTED_MEDIA_TYPES = frozenset({JPEG, PNG, WEBP, PDF})

# How many leading bytes `sniff_media_type` looks at; callers streaming an upload buffer this much.
SNIFF_BYTES = 512

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Formats we recognise only to name them in a refusal ("GIF is not accepted").
_OTHER_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"PK\x03\x04", "application/zip"),
    (b"PK\x05\x06", "application/zip"),
    (b"\x7fELF", "application/x-executable"),
    (b"MZ", "application/x-msdownload"),
    (b"\xca\xfe\xba\xbe", "application/x-mach-binary"),
    (b"\xcf\xfa\xed\xfe", "application/x-mach-binary"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"\x1f\x8b", "application/gzip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
)

# Markup a browser or interpreter would act on. Found in an image's metadata or after its end, it
# makes the file a polyglot. Compressed pixel data is not searched: it is random-looking, and a
# 3 MB photo contains "<svg" (any case) by chance about once in 170 files (the benchmark met one).
_ACTIVE_MARKUP = (b"<script", b"<html", b"<svg", b"<?php", b"<iframe", b"<!doctype html", b"javascript:")
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM and RST0-7 carry no length


def sniff_media_type(head: bytes) -> str | None:
    """Media type named by the leading bytes, or None if unrecognised.

    Returns types we do not accept as well (e.g. "image/gif"); check `ACCEPTED_MEDIA_TYPES`.
    """
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(_PNG_SIGNATURE):
        return PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    # A PDF reader accepts the header anywhere in the first KB; we insist on offset 0 so that
    # nothing else can sit in front of it.
    if head.startswith(b"%PDF-"):
        return PDF
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"):
            return "image/heic"
        if brand in (b"avif", b"avis"):
            return "image/avif"
        return "video/mp4"
    for signature, media_type in _OTHER_SIGNATURES:
        if head.startswith(signature):
            return media_type
    return _sniff_text(head)


def _sniff_text(head: bytes) -> str | None:
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if not text:
        return None
    if b"<svg" in text:
        return "image/svg+xml"
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")):
        return "text/html"
    if text.startswith(b"<?xml"):
        return "application/xml"
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The sample may cut a multi-byte character in half; only an error before the tail counts.
        if exc.start < len(head) - 3:
            return None
    return "text/plain"


def find_polyglot_problem(data: bytes, media_type: str) -> str | None:
    """Why `data` is more than one clean file of `media_type`, or None if it is not.

    Decoders stop at their own end marker and ignore what follows, so a PNG with a ZIP or an
    HTML page appended still "decodes"; these checks look at what the decoder never reads.
    """
    lowered = _outside_pixel_data(data, media_type).lower()
    for marker in _ACTIVE_MARKUP:
        if marker in lowered:
            return f"contains active markup {marker.decode()!r}"
    if _ends_with_zip_directory(data):
        return "a ZIP archive is appended"
    if media_type == PNG:
        return _png_problem(data)
    if media_type == WEBP:
        return _webp_problem(data)
    return None


def _outside_pixel_data(data: bytes, media_type: str) -> bytes:
    """The bytes a decoder does not read as compressed pixels: headers, metadata, whatever follows the end."""
    if media_type == PNG and data.startswith(_PNG_SIGNATURE):
        return _png_outside_pixels(data)
    if media_type == JPEG and data.startswith(b"\xff\xd8"):
        return _jpeg_outside_pixels(data)
    return data


def _png_outside_pixels(data: bytes) -> bytes:
    parts, pos = [], len(_PNG_SIGNATURE)
    while pos + 12 <= len(data):
        length, chunk_type = struct.unpack_from(">I4s", data, pos)
        end = min(pos + 12 + length, len(data))
        if chunk_type != b"IDAT":
            parts.append(data[pos:end])
        pos = end
        if chunk_type == b"IEND":
            break
    return b"".join(parts) + data[pos:]


def _jpeg_outside_pixels(data: bytes) -> bytes:
    """Every marker segment and what follows the end marker, without the entropy-coded scans."""
    parts, pos = [], 2
    while pos + 1 < len(data):
        if data[pos] != 0xFF:
            break  # not where a marker should be: let the rest be searched
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:  # end of image
            pos += 2
            break
        if marker in _JPEG_STANDALONE:
            pos += 2
            continue
        if pos + 4 > len(data):
            break
        (length,) = struct.unpack_from(">H", data, pos + 2)
        end = pos + 2 + length
        parts.append(data[pos:end])
        pos = end
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            pos = _end_of_scan(data, pos)
    return b"".join(parts) + data[pos:]


_SCAN_CONTINUES = frozenset((0x00, *range(0xD0, 0xD8)))  # a stuffed 0xFF byte, restart markers


def _end_of_scan(data: bytes, pos: int) -> int:
    """Where the entropy-coded data starting at `pos` ends: the first 0xFF that begins a real marker (the last
    byte when there is none). Searched with `bytes.find`, as a byte-by-byte loop costs ~15 ms a photo."""
    last = len(data) - 1
    while pos < last:
        found = data.find(b"\xff", pos, last)
        if found < 0:
            return last
        if data[found + 1] not in _SCAN_CONTINUES:
            return found
        pos = found + 1
    return pos


def _ends_with_zip_directory(data: bytes) -> bool:
    # The end-of-central-directory record sits at the very end, followed only by its comment.
    search_from = max(0, len(data) - 22 - 0xFFFF)
    pos = data.rfind(b"PK\x05\x06", search_from)
    if pos < 0 or pos + 22 > len(data):
        return False
    (comment_length,) = struct.unpack_from("<H", data, pos + 20)
    return pos + 22 + comment_length == len(data)


def _png_problem(data: bytes) -> str | None:
    """Walk the chunks: every CRC must match and nothing may follow IEND."""
    pos = len(_PNG_SIGNATURE)
    while pos + 12 <= len(data):
        length, chunk_type = struct.unpack_from(">I4s", data, pos)
        end = pos + 12 + length
        if end > len(data):
            return f"PNG chunk {chunk_type!r} is truncated"
        (crc,) = struct.unpack_from(">I", data, end - 4)
        if zlib.crc32(data[pos + 4 : end - 4]) != crc:
            return f"PNG chunk {chunk_type!r} fails its CRC"
        if chunk_type == b"IEND":
            trailing = len(data) - end
            return f"{trailing} bytes follow the PNG end" if trailing else None
        pos = end
    return "PNG has no IEND chunk"


def _webp_problem(data: bytes) -> str | None:
    (riff_size,) = struct.unpack_from("<I", data, 4)
    declared_end = 8 + riff_size + (riff_size & 1)  # RIFF pads odd sizes by one byte
    if declared_end > len(data):
        return "WebP is truncated"
    if declared_end < len(data):
        return f"{len(data) - declared_end} bytes follow the WebP end"
    return None
