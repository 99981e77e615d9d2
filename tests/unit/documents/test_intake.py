"""The intake gate against real files built here: every refusal and finding, and the files that pass."""
from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFilter

from documents.intake import (
    IntakeCode,
    IntakeLimits,
    IntakeRefused,
    decode_slot,
    inspect_upload,
    sniff_media_type,
)
from documents.pdf_pages import forbidden_pdf_names
from documents.sniffing import find_polyglot_problem
from documents.types import DocumentType
from tests.support import pdf_bytes
from tests.support.image_bytes import blank_png

ID_FRONT = DocumentType.ID_CARD_FRONT
LIMITS = IntakeLimits()


# ---- file builders -------------------------------------------------------------------------


def sharp_document(width: int = 1600, height: int = 1000) -> Image.Image:
    """Dark glyph-like blocks on white: the edge density of a printed card."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    rng = np.random.default_rng(7)
    for top in range(0, height, 40):
        for left in range(0, width, 25):
            if rng.random() < 0.6:
                draw.rectangle([left, top, left + 12, top + 22], fill=(20, 20, 20))
    return image


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_chunk(chunk_type: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + chunk_type + payload + struct.pack(">I", zlib.crc32(chunk_type + payload))


def png_declaring(width: int, height: int) -> bytes:
    """A structurally valid PNG whose header claims `width` x `height` but carries almost no data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def handwritten_pdf(catalog_extra: str = "", trailer_extra: str = "", with_script: bool = False) -> bytes:
    """A one-page PDF with a drawn rectangle and a correct xref table; object 5 is a script action."""
    content = b"0 0 0 rg 50 50 400 200 re f"
    objects = [
        f"<< /Type /Catalog /Pages 2 0 R {catalog_extra}>>".encode(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    if with_script:
        objects.append(b"<< /S /JavaScript /JS (app.alert('hi');) >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R {trailer_extra}>>\n".encode()
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def refusal(data: bytes, limits: IntakeLimits = LIMITS) -> IntakeRefused:
    with pytest.raises(IntakeRefused) as caught:
        inspect_upload(data, ID_FRONT, limits)
    return caught.value


# ---- files that pass ----------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "media_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")])
def test_sharp_large_image_passes_without_findings(fmt, media_type):
    data = encode(sharp_document(), fmt)
    inspection = inspect_upload(data, ID_FRONT, LIMITS)
    assert inspection.media_type == media_type
    assert (inspection.width, inspection.height) == (1600, 1000)
    assert inspection.findings == []
    assert inspection.blur_score > LIMITS.min_blur_score
    assert inspection.image.mode == "RGB" and inspection.image.size == (1600, 1000)


def test_sha256_is_of_the_original_bytes():
    data = encode(sharp_document(), "JPEG")
    assert inspect_upload(data, ID_FRONT, LIMITS).sha256 == hashlib.sha256(data).hexdigest()


def test_image_is_left_out_of_repr_and_serialisation():
    inspection = inspect_upload(encode(sharp_document(), "PNG"), ID_FRONT, LIMITS)
    assert "image" not in inspection.model_dump()
    assert "PIL" not in repr(inspection)
    assert '"image"' not in inspection.model_dump_json()


def test_pillow_generated_pdf_renders_its_first_page():
    data = encode(sharp_document(1200, 800), "PDF")
    inspection = inspect_upload(data, ID_FRONT, LIMITS)
    assert inspection.media_type == "application/pdf"
    # Pillow writes 72 dpi pages; rendered at 200 dpi the page is wider than the source pixels.
    assert inspection.width >= 1200 and inspection.height >= 800
    assert inspection.width / inspection.height == pytest.approx(1.5, rel=0.01)
    assert inspection.findings == []


def test_handwritten_pdf_without_actions_renders():
    inspection = inspect_upload(handwritten_pdf(), DocumentType.STOREFRONT_PHOTO, LIMITS)
    assert inspection.media_type == "application/pdf"
    assert inspection.width / inspection.height == pytest.approx(612 / 792, rel=0.01)


def test_pdf_page_is_rendered_within_the_pixel_budget():
    limits = IntakeLimits(max_pixels=1_000_000)
    inspection = inspect_upload(handwritten_pdf(), DocumentType.STOREFRONT_PHOTO, limits)
    assert inspection.width * inspection.height <= 1_000_000


def test_exif_orientation_6_swaps_width_and_height():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    data = encode(sharp_document(1600, 1000), "JPEG", exif=exif.tobytes())
    inspection = inspect_upload(data, DocumentType.STOREFRONT_PHOTO, LIMITS)
    assert (inspection.width, inspection.height) == (1000, 1600)
    assert inspection.image.size == (1000, 1600)


def test_transparent_png_is_flattened_onto_white():
    image = Image.new("RGBA", (1200, 800), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle([100, 100, 300, 300], fill=(0, 0, 0, 255))
    inspection = inspect_upload(encode(image, "PNG"), ID_FRONT, LIMITS)
    assert inspection.image.getpixel((10, 10)) == (255, 255, 255)
    assert inspection.image.getpixel((200, 200)) == (0, 0, 0)


def test_sixteen_bit_grayscale_keeps_its_tones():
    values = (np.linspace(0, 65535, 1200 * 800).reshape(800, 1200)).astype(np.uint16)
    inspection = inspect_upload(encode(Image.fromarray(values), "PNG"), ID_FRONT, LIMITS)
    middle = inspection.image.getpixel((600, 400))[0]
    assert 100 < middle < 160  # not clipped to white


# ---- soft findings ------------------------------------------------------------------------


def test_narrow_image_is_stored_with_document_too_small():
    inspection = inspect_upload(encode(sharp_document(300, 200), "JPEG"), ID_FRONT, LIMITS)
    [finding] = [f for f in inspection.findings if f.code == IntakeCode.TOO_SMALL]
    assert (finding.measured, finding.threshold, finding.unit) == (300, 1000, "px")


def test_min_width_follows_the_document_type():
    data = encode(sharp_document(900, 600), "JPEG")
    assert inspect_upload(data, DocumentType.STOREFRONT_PHOTO, LIMITS).findings == []
    codes = [f.code for f in inspect_upload(data, DocumentType.ID_CARD_BACK, LIMITS).findings]
    assert codes == [IntakeCode.TOO_SMALL]
    relaxed = IntakeLimits(min_width={DocumentType.ID_CARD_BACK: 800})
    assert inspect_upload(data, DocumentType.ID_CARD_BACK, relaxed).findings == []


def test_card_photographed_in_portrait_is_measured_along_its_long_side():
    portrait = encode(sharp_document(900, 1300), "JPEG")  # a card lying on its side, 1300 px across
    assert inspect_upload(portrait, ID_FRONT, LIMITS).findings == []
    codes = [f.code for f in inspect_upload(portrait, DocumentType.ADDRESS_PROOF, LIMITS).findings]
    assert codes == [IntakeCode.TOO_SMALL]  # a page in portrait is as wide as it looks


def test_blurred_image_is_stored_with_document_blurry():
    blurred = sharp_document().filter(ImageFilter.GaussianBlur(8))
    inspection = inspect_upload(encode(blurred, "JPEG"), ID_FRONT, LIMITS)
    [finding] = inspection.findings
    assert finding.code == IntakeCode.BLURRY
    assert finding.measured < finding.threshold == LIMITS.min_blur_score
    assert finding.unit == "laplacian_variance"


# ---- hard refusals ------------------------------------------------------------------------


def test_empty_file_is_corrupt():
    assert refusal(b"").code == IntakeCode.CORRUPT


def test_file_over_max_bytes_is_too_large():
    data = encode(sharp_document(), "PNG")
    refused = refusal(data, IntakeLimits(max_bytes=len(data) - 1))
    assert refused.code == IntakeCode.TOO_LARGE
    assert refused.evidence == {"size_bytes": len(data), "max_bytes": len(data) - 1}


def test_default_limit_refuses_eleven_megabytes_before_looking_inside():
    assert refusal(b"\xff\xd8\xff" + bytes(11 * 1024 * 1024)).code == IntakeCode.TOO_LARGE


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_truncated_image_is_corrupt(fmt):
    data = encode(sharp_document(), fmt)
    assert refusal(data[: len(data) // 2]).code == IntakeCode.CORRUPT


def test_png_with_a_damaged_chunk_is_corrupt():
    data = bytearray(encode(sharp_document(), "PNG"))
    data[200] ^= 0xFF
    assert refusal(bytes(data)).code == IntakeCode.CORRUPT


def test_png_declaring_100000_squared_pixels_is_a_bomb():
    refused = refusal(png_declaring(100_000, 100_000))
    assert refused.code == IntakeCode.CORRUPT
    assert "bomb" in refused.detail


def test_png_above_our_pixel_limit_is_refused_before_decoding():
    refused = refusal(png_declaring(8000, 6000))  # 48 MP: under Pillow's default, over ours
    assert refused.code == IntakeCode.CORRUPT
    assert refused.evidence == {"width": 8000, "height": 6000, "max_pixels": 40_000_000}


def test_intake_sets_no_global_pillow_state():
    before = (Image.MAX_IMAGE_PIXELS, __import__("PIL.ImageFile").ImageFile.LOAD_TRUNCATED_IMAGES)
    refusal(png_declaring(8000, 6000))
    inspect_upload(encode(sharp_document(), "JPEG"), ID_FRONT, LIMITS)
    assert (Image.MAX_IMAGE_PIXELS, __import__("PIL.ImageFile").ImageFile.LOAD_TRUNCATED_IMAGES) == before


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(lambda: encode(sharp_document(), "GIF"), id="gif"),
        pytest.param(lambda: encode(sharp_document(), "BMP"), id="bmp"),
        pytest.param(lambda: encode(sharp_document(), "TIFF"), id="tiff"),
        pytest.param(
            lambda: b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            id="svg-with-script",
        ),
        pytest.param(lambda: b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>", id="html"),
        pytest.param(lambda: "身份证号 110101199003078515\n".encode(), id="text"),
        pytest.param(lambda: b"\x7fELF\x02\x01\x01" + bytes(200), id="elf"),
        pytest.param(lambda: b"MZ\x90\x00" + bytes(200), id="exe"),
        pytest.param(lambda: _zip_with(b"id.jpg", encode(sharp_document(), "JPEG")), id="zip"),
        pytest.param(lambda: bytes(range(256)) * 4, id="unrecognised-binary"),
    ],
)
def test_formats_we_do_not_accept_are_type_mismatch(data):
    assert refusal(data()).code == IntakeCode.TYPE_MISMATCH


def _zip_with(name: bytes, payload: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name.decode(), payload)
    return buffer.getvalue()


def test_png_with_a_zip_appended_is_refused():
    data = encode(sharp_document(), "PNG") + _zip_with(b"payload.html", b"<p>hi</p>")
    assert refusal(data).code == IntakeCode.CORRUPT


def test_jpeg_with_a_zip_appended_is_refused():
    data = encode(sharp_document(), "JPEG") + _zip_with(b"a.txt", b"hello")
    assert refusal(data).code == IntakeCode.CORRUPT


def test_jpeg_carrying_a_script_is_refused():
    data = encode(sharp_document(), "JPEG") + b"<script>fetch('//evil')</script>"
    assert refusal(data).code == IntakeCode.CORRUPT


def test_webp_with_trailing_bytes_is_refused():
    assert refusal(encode(sharp_document(), "WEBP") + b"extra").code == IntakeCode.CORRUPT


def test_markup_bytes_inside_compressed_pixels_are_not_a_polyglot():
    """Compressed data is random-looking; "<svg" turns up in it by chance in about one 3 MB photo in 170."""
    jpeg = encode(sharp_document(), "JPEG")
    scan = jpeg.index(b"\xff\xda")
    scan_data = scan + 2 + int.from_bytes(jpeg[scan + 2:scan + 4], "big") + 40
    by_chance = jpeg[:scan_data] + b"<SvG" + jpeg[scan_data + 4:]
    assert find_polyglot_problem(by_chance, "image/jpeg") is None
    commented = jpeg[:2] + b"\xff\xfe\x00\x0a<svg/on>" + jpeg[2:]  # a COM segment: metadata, searched
    assert "active markup" in find_polyglot_problem(commented, "image/jpeg")

    png = encode(sharp_document(), "PNG")
    idat = png.index(b"IDAT")
    length = int.from_bytes(png[idat - 4:idat], "big")
    payload = png[idat + 4:idat + 4 + 20] + b"<svg" + png[idat + 4 + 24:idat + 4 + length]
    patched = png[:idat] + b"IDAT" + payload + zlib.crc32(b"IDAT" + payload).to_bytes(4, "big") + png[idat + 8 + length:]
    assert find_polyglot_problem(patched, "image/png") is None


def test_pdf_with_javascript_open_action_is_refused():
    refused = refusal(handwritten_pdf(catalog_extra="/OpenAction 5 0 R ", with_script=True))
    assert refused.code == IntakeCode.CORRUPT
    assert "JavaScript" in refused.detail and "OpenAction" in refused.detail


def test_pdf_with_escaped_javascript_name_is_refused():
    data = handwritten_pdf(catalog_extra="/OpenAction 5 0 R ", with_script=True)
    data = data.replace(b"/S /JavaScript /JS", b"/S /J#61vaScript /J#53")
    assert refusal(data).code == IntakeCode.CORRUPT


def test_pdf_with_launch_action_is_refused():
    data = handwritten_pdf(catalog_extra="/OpenAction << /S /Launch /F (cmd.exe) >> ")
    assert "Launch" in refusal(data).detail


def test_encrypted_pdf_is_refused():
    data = handwritten_pdf(trailer_extra="/Encrypt << /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >> ")
    refused = refusal(data)
    assert refused.code == IntakeCode.CORRUPT and "Encrypt" in refused.detail


def test_forbidden_names_are_found_inside_compressed_object_streams():
    hidden = zlib.compress(b"5 0 << /Type /Action /S /JavaScript /JS (app.alert(1)) >>")
    data = (
        b"%PDF-1.5\n"
        + b"7 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(hidden)
        + hidden
        + b"\nendstream\nendobj\n"
    )
    assert forbidden_pdf_names(data) == {"JavaScript", "JS"}


@pytest.mark.parametrize(("build", "named"), [
    (pdf_bytes.pdf_script_in_object_stream_whose_dictionary_says_obj, "JavaScript"),
    (pdf_bytes.pdf_script_in_object_stream_after_bare_cr, "JavaScript"),
    (pdf_bytes.pdf_script_in_object_stream_under_double_flate, "JavaScript"),
    (pdf_bytes.pdf_script_in_object_stream_under_hex_then_flate, "JavaScript"),
    (pdf_bytes.pdf_launch_in_object_stream, "Launch"),
    (pdf_bytes.pdf_page_actions_in_object_stream, "AA"),
    (pdf_bytes.pdf_embedded_file_in_object_stream, "EmbeddedFiles"),
    (pdf_bytes.pdf_xfa_in_object_stream, "XFA"),
    (pdf_bytes.pdf_rich_media_in_object_stream, "RichMedia"),
    (pdf_bytes.pdf_script_in_object_stream_with_unknown_filter, "object stream that cannot be inspected"),
], ids=lambda v: getattr(v, "__name__", v))
def test_active_content_in_a_real_object_stream_is_refused_by_name(build, named):
    """PDFium reads these catalogs from an object stream a cross-reference stream lists; the gate must too."""
    refused = refusal(build())
    assert refused.code == IntakeCode.CORRUPT and named in refused.detail


def test_a_clean_pdf_with_a_compressed_catalog_is_accepted():
    inspection = inspect_upload(pdf_bytes.pdf_with_clean_compressed_catalog(), DocumentType.STOREFRONT_PHOTO, LIMITS)
    assert inspection.media_type == "application/pdf" and inspection.width > 0


@pytest.mark.parametrize("document_type", [DocumentType.ID_CARD_FRONT, DocumentType.STOREFRONT_PHOTO])
def test_a_140_kb_png_of_6000x6000_pixels_is_refused_from_its_header(document_type):
    """Decoded it would take ~420 MB (RGBA, then RGB); the header is enough to say no."""
    data = blank_png(6000, 6000)
    assert len(data) < 150_000
    with pytest.raises(IntakeRefused) as caught:
        inspect_upload(data, document_type, LIMITS)
    assert caught.value.code == IntakeCode.TOO_LARGE
    assert "6000x6000" in caught.value.detail and f"{document_type} may have at most" in caught.value.detail
    assert caught.value.evidence == {"width": 6000, "height": 6000,
                                     "max_pixels": LIMITS.max_pixels_for(document_type)}


def test_pixel_limits_are_per_document_type():
    data = encode(sharp_document(200, 100), "PNG")
    limits = IntakeLimits(max_pixels_by_type={DocumentType.ID_CARD_FRONT: 200 * 100 - 1})
    with pytest.raises(IntakeRefused) as caught:
        inspect_upload(data, DocumentType.ID_CARD_FRONT, limits)
    assert caught.value.code == IntakeCode.TOO_LARGE
    assert inspect_upload(data, DocumentType.STOREFRONT_PHOTO, limits).width == 200


def test_a_decode_waits_while_every_decode_slot_is_taken():
    from concurrent.futures import ThreadPoolExecutor, wait

    limits = IntakeLimits(max_concurrent_decodes=1)
    data = encode(sharp_document(200, 100), "PNG")
    with ThreadPoolExecutor(max_workers=1) as pool:
        with decode_slot(limits):
            waiting = pool.submit(inspect_upload, data, DocumentType.STOREFRONT_PHOTO, limits)
            finished, _ = wait([waiting], timeout=0.5)
            assert not finished
        assert waiting.result(timeout=30).width == 200


def test_an_inspection_that_does_not_keep_its_image_holds_no_pixels():
    inspection = inspect_upload(encode(sharp_document(200, 100), "PNG"), ID_FRONT, LIMITS, keep_image=False)
    assert inspection.image is None and (inspection.width, inspection.height) == (200, 100)


def test_pdf_that_does_not_parse_is_corrupt():
    assert refusal(b"%PDF-1.7\n1 0 obj garbage\n%%EOF").code == IntakeCode.CORRUPT


# ---- sniffing while streaming -------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"  <svg xmlns='http://www.w3.org/2000/svg'>", "image/svg+xml"),
        (b"<!doctype html><title>x", "text/html"),
        (b"\x00\x00\x00\x18ftypheic", "image/heic"),
        (b"junk %PDF-1.7", "text/plain"),
        (b"\x00\x01\x02\x03", None),
        (b"", None),
    ],
)
def test_sniff_media_type_from_first_bytes(head, expected):
    assert sniff_media_type(head) == expected


# ---- robustness ---------------------------------------------------------------------------

_SMALL_JPEG = encode(sharp_document(120, 80), "JPEG")
_SMALL_PNG = encode(sharp_document(120, 80), "PNG")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.sampled_from([_SMALL_JPEG, _SMALL_PNG, handwritten_pdf()]),
    edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8),
    cut=st.integers(min_value=0),
)
def test_damaged_files_are_refused_cleanly_or_inspected(base, edits, cut):
    data = bytearray(base)
    for position, value in edits:
        data[position % len(data)] = value
    data = bytes(data[: len(data) - cut % len(data)])
    try:
        inspection = inspect_upload(data, ID_FRONT, LIMITS)
    except IntakeRefused as refused:
        assert refused.code in {IntakeCode.CORRUPT, IntakeCode.TYPE_MISMATCH, IntakeCode.BLANK}  # a page left empty
    else:
        assert inspection.image.mode == "RGB"


def test_a_full_resolution_phone_jpeg_is_decoded_reduced_not_refused():
    """A 50 MP phone photo (8160x6120) of an ID card is over the card's 16 MP: the JPEG decoder reads it at a
    quarter of its pixels (DCT scaling), so the merchant is not asked for a smaller photo and no more than the
    reduced pixels are ever held. (permit-anjie-1, a 6874x4819 scan, was refused as too large before.)"""
    data = encode(sharp_document(8160, 6120), "JPEG", quality=70)
    inspection = inspect_upload(data, ID_FRONT, LIMITS)
    assert (inspection.width, inspection.height) == (4080, 3060)
    assert inspection.width * inspection.height <= LIMITS.max_pixels_for(ID_FRONT)
    assert inspection.image.size == (4080, 3060) and inspection.findings == []


def test_a_jpeg_too_large_even_at_an_eighth_is_refused_from_its_header():
    limits = IntakeLimits(max_pixels_by_type={ID_FRONT: 10_000})
    data = encode(sharp_document(1600, 1000), "JPEG")  # 1/8 is 200x125 = 25,000 pixels
    with pytest.raises(IntakeRefused) as caught:
        inspect_upload(data, ID_FRONT, limits)
    assert caught.value.code == IntakeCode.TOO_LARGE and "1600x1000" in caught.value.detail
