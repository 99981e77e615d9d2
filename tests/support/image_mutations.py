"""Hypothesis strategies for upload bytes: clean files of every accepted format, and mutations of them.

Two kinds of damage: blind byte edits (flip, overwrite, insert, delete, truncate, append), and
structure-aware PNGs whose chunks carry correct CRCs, so the damage reaches the decoder instead of
stopping at the checksum.
"""
from __future__ import annotations

import struct
import zlib
from functools import lru_cache

from hypothesis import strategies as st

from tests.support import image_bytes as img
from tests.support import pdf_bytes as pdf


@lru_cache(maxsize=1)
def seed_files() -> dict[str, bytes]:
    """Small valid files, built once: the starting points for every mutation."""
    image = img.noise_image(48, 32, seed=11)
    return {
        "png_rgb": img.encode(image, "PNG"),
        "png_palette": img.encode(image.convert("P"), "PNG"),
        "png_gray_alpha": img.encode(image.convert("LA"), "PNG"),
        "png_rgba": img.encode(image.convert("RGBA"), "PNG"),
        "png_16bit": img.encode(image.convert("I;16"), "PNG"),
        "png_1bit": img.encode(image.convert("1"), "PNG"),
        "jpeg": img.encode(image, "JPEG", quality=85),
        "jpeg_progressive": img.encode(image, "JPEG", quality=85, progressive=True),
        "jpeg_cmyk": img.encode(image.convert("CMYK"), "JPEG"),
        "jpeg_orientation_8": img.jpeg_with_orientation(8),
        "webp_lossy": img.encode(image, "WEBP", quality=70),
        "webp_lossless": img.encode(image, "WEBP", lossless=True),
        "pdf": pdf.clean_pdf(),
    }


seed_names = st.sampled_from(sorted(seed_files()))


@st.composite
def mutated_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """`data` after one to four blind edits."""
    buffer = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        edit = draw(st.sampled_from(["flip", "overwrite", "insert", "delete", "truncate", "append", "duplicate"]))
        at = draw(st.integers(0, max(0, len(buffer) - 1)))
        if edit == "flip" and buffer:
            buffer[at] ^= draw(st.integers(1, 255))
        elif edit == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=16))
            buffer[at:at + len(chunk)] = chunk
        elif edit == "insert":
            buffer[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif edit == "delete":
            del buffer[at:at + draw(st.integers(1, 64))]
        elif edit == "truncate":
            del buffer[at:]
        elif edit == "append":
            buffer += draw(st.binary(min_size=1, max_size=128))
        elif edit == "duplicate":
            buffer[at:at] = buffer[at:at + draw(st.integers(1, 256))]
    return bytes(buffer)


@st.composite
def mutated_seed_files(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(seed_names)
    return name, draw(mutated_bytes(seed_files()[name]))


@st.composite
def checksummed_pngs(draw: st.DrawFn) -> bytes:
    """PNGs with valid chunk CRCs and fuzzed header fields and pixel data."""
    width = draw(st.integers(0, 3000) | st.sampled_from([1, 2**31 - 1, 2**32 - 1]))
    height = draw(st.integers(0, 3000) | st.sampled_from([1, 2**31 - 1, 2**32 - 1]))
    bit_depth = draw(st.sampled_from([1, 2, 4, 8, 16, 0, 3, 255]))
    color_type = draw(st.sampled_from([0, 2, 3, 4, 6, 1, 7]))
    interlace = draw(st.sampled_from([0, 1, 2]))
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, interlace)
    raw_pixels = draw(st.binary(max_size=2048))
    idat = zlib.compress(raw_pixels) if draw(st.booleans()) else raw_pixels
    chunks = [img.png_chunk(b"IHDR", header)]
    if color_type == 3 or draw(st.booleans()):
        chunks.append(img.png_chunk(b"PLTE", draw(st.binary(min_size=0, max_size=96))))
    chunks += [img.png_chunk(b"IDAT", idat) for _ in range(draw(st.integers(0, 3)))]
    chunks.append(img.png_chunk(b"IEND", b""))
    return img.PNG_SIGNATURE + b"".join(chunks)


# (color type, bit depth) pairs the PNG specification allows, with samples per pixel.
_VALID_PNG_FORMATS = [(0, d, 1) for d in (1, 2, 4, 8, 16)] + [(2, d, 3) for d in (8, 16)] + \
    [(3, d, 1) for d in (1, 2, 4, 8)] + [(4, d, 2) for d in (8, 16)] + [(6, d, 4) for d in (8, 16)]


@st.composite
def wellformed_random_pngs(draw: st.DrawFn) -> bytes:
    """Small PNGs that are entirely valid (every allowed colour type and depth, random filters and pixels),
    so decoded images of every mode reach the measuring code."""
    color_type, bit_depth, samples = draw(st.sampled_from(_VALID_PNG_FORMATS))
    width, height = draw(st.integers(1, 64)), draw(st.integers(1, 64))
    row_bytes = (width * samples * bit_depth + 7) // 8
    rows = b"".join(bytes([draw(st.integers(0, 4))]) + draw(st.binary(min_size=row_bytes, max_size=row_bytes))
                    for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    chunks = [img.png_chunk(b"IHDR", header)]
    if color_type == 3:
        entries = draw(st.integers(1, 2 ** bit_depth))
        chunks.append(img.png_chunk(b"PLTE", draw(st.binary(min_size=3 * entries, max_size=3 * entries))))
        if draw(st.booleans()):
            chunks.append(img.png_chunk(b"tRNS", draw(st.binary(min_size=1, max_size=entries))))
    chunks += [img.png_chunk(b"IDAT", zlib.compress(rows)), img.png_chunk(b"IEND", b"")]
    return img.PNG_SIGNATURE + b"".join(chunks)


@st.composite
def pdfs_with_injected_names(draw: st.DrawFn) -> bytes:
    """The clean PDF with a name written into its catalog, escaped or not: some harmless, some forbidden."""
    name = draw(st.sampled_from(["JavaScript", "JS", "OpenAction", "AA", "Launch", "EmbeddedFile", "XFA", "Encrypt",
                                 "Lang", "ViewerPreferences", "PageMode", "Metadata"]))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(name) - 1))
        name = name[:at] + f"#{ord(name[at]):02X}" + name[at + 1:]
    return pdf.one_page_pdf(f"/{name} (x) ")
