"""Byte-level builders for image files: clean ones from Pillow, and hand-assembled headers that lie.

Everything is generated from code and a fixed seed, so no binary fixture is ever checked in.
"""
from __future__ import annotations

import functools
import io
import struct
import zlib

import numpy as np
from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EXIF_ORIENTATION_TAG = 0x0112


def noise_image(width: int = 96, height: int = 64, seed: int = 7) -> Image.Image:
    """Random RGB pixels: sharp enough for the blur measure, small enough to stay fast."""
    pixels = np.random.default_rng(seed).integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    return Image.fromarray(pixels, "RGB")


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def clean_png(width: int = 96, height: int = 64, seed: int = 7) -> bytes:
    return encode(noise_image(width, height, seed), "PNG")


def clean_jpeg(width: int = 96, height: int = 64, seed: int = 7, **options) -> bytes:
    return encode(noise_image(width, height, seed), "JPEG", quality=90, **options)


def clean_webp(width: int = 96, height: int = 64, seed: int = 7) -> bytes:
    return encode(noise_image(width, height, seed), "WEBP", quality=80)


def png_chunk(chunk_type: bytes, payload: bytes, *, crc: int | None = None) -> bytes:
    checksum = zlib.crc32(chunk_type + payload) if crc is None else crc
    return struct.pack(">I", len(payload)) + chunk_type + payload + struct.pack(">I", checksum)


def png_declaring(width: int, height: int, *, bit_depth: int = 8, color_type: int = 2) -> bytes:
    """A PNG whose IHDR claims `width` x `height` but whose data is one tiny compressed row."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (PNG_SIGNATURE + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + png_chunk(b"IEND", b""))


def png_with_text_chunk(keyword: bytes, text: bytes) -> bytes:
    """A clean PNG with a tEXt chunk (valid CRC) inserted right after IHDR."""
    png = clean_png()
    ihdr_end = len(PNG_SIGNATURE) + 12 + 13
    return png[:ihdr_end] + png_chunk(b"tEXt", keyword + b"\x00" + text) + png[ihdr_end:]


def png_with_broken_crc() -> bytes:
    png = bytearray(clean_png())
    ihdr_crc_at = len(PNG_SIGNATURE) + 8 + 13
    png[ihdr_crc_at] ^= 0xFF
    return bytes(png)


def png_with_garbage_idat() -> bytes:
    """Every chunk CRC is right, but the IDAT payload is not a zlib stream."""
    header = struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
    return (PNG_SIGNATURE + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", b"this is not deflate data" * 8) + png_chunk(b"IEND", b""))


def jpeg_declaring(width: int, height: int) -> bytes:
    """A baseline JPEG whose SOF0 segment claims `width` x `height`; the scan data is a few bytes."""
    soi = b"\xff\xd8"
    quant = b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + bytes([1] * 64)
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    huffman_dc = b"\xff\xc4" + struct.pack(">H", 20) + b"\x00" + bytes([1] + [0] * 15) + b"\x00"
    huffman_ac = b"\xff\xc4" + struct.pack(">H", 20) + b"\x10" + bytes([1] + [0] * 15) + b"\x00"
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00\x00\x3f\x00"
    return soi + quant + sof0 + huffman_dc + huffman_ac + sos + b"\x00" * 16 + b"\xff\xd9"


def jpeg_with_segment(marker: int, payload: bytes) -> bytes:
    """A clean JPEG with one extra segment (APPn or COM) right after SOI."""
    jpeg = clean_jpeg()
    segment = bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def jpeg_with_orientation(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[EXIF_ORIENTATION_TAG] = orientation
    return clean_jpeg(width=120, height=60, exif=exif.tobytes())


def jpeg_with_corrupt_exif() -> bytes:
    """An APP1 "Exif" segment whose TIFF header points its first IFD far past the segment's end."""
    tiff = b"II*\x00" + struct.pack("<I", 0x7FFFFFF0) + b"\xde\xad\xbe\xef" * 4
    return jpeg_with_segment(0xE1, b"Exif\x00\x00" + tiff)


def webp_declaring(width: int, height: int) -> bytes:
    """A VP8X WebP whose canvas is `width` x `height` with a tiny lossy frame inside."""
    inner = clean_webp(16, 16)
    vp8_frame = inner[12:]  # the VP8 chunk of a simple lossy file
    flags = b"\x00\x00\x00\x00"
    canvas = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    vp8x = b"VP8X" + struct.pack("<I", 10) + flags + canvas
    body = b"WEBP" + vp8x + vp8_frame
    return b"RIFF" + struct.pack("<I", len(body)) + body


def tiff_image(byte_order: str = "little") -> bytes:
    return encode(noise_image(32, 32), "TIFF") if byte_order == "little" else _big_endian_tiff()


def _big_endian_tiff() -> bytes:
    """A minimal "MM" TIFF: Pillow writes little-endian only, so the header is rewritten by hand."""
    return b"MM\x00*" + struct.pack(">I", 8) + struct.pack(">H", 0) + struct.pack(">I", 0)


def stored_zip(name: str = "payload.txt", content: bytes = b"hello from inside the zip") -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


@functools.cache
def blank_png(width: int, height: int, *, color_type: int = 6, truncate: bool = False) -> bytes:
    """A complete, valid PNG of transparent (or black) pixels: tiny on disk, `width*height*4` bytes decoded.

    With `truncate`, the compressed data stops short of the last rows: a decoder allocates the whole image
    before it finds out.
    """
    bands = {2: 3, 6: 4}[color_type]
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + width * bands)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    if truncate:
        data = data[: len(data) * 9 // 10]
    return PNG_SIGNATURE + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", data) + png_chunk(b"IEND", b"")
