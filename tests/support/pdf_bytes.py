"""Hand-assembled PDF files with a correct cross-reference table, clean or carrying active content."""
from __future__ import annotations

import zlib

PAGE = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 120] /Contents 4 0 R >>"
# A few filled rectangles, so the page is not blank.
PAGE_CONTENT = b"0 0 0 rg 10 10 50 40 re f 80 30 60 60 re f 150 5 30 100 re f"


def pdf_document(objects: list[bytes], *, trailer_extra: str = "") -> bytes:
    """Objects are numbered from 1 in order; object 1 must be the catalog."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode() + b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R {trailer_extra}>>\n"
            f"startxref\n{xref_at}\n%%EOF\n").encode()
    return bytes(out)


def _stream(data: bytes, dictionary: str = "") -> bytes:
    return f"<< /Length {len(data)} {dictionary}>>\nstream\n".encode() + data + b"\nendstream"


def one_page_pdf(catalog_extra: str = "", page: str = PAGE, *, extra_objects: list[bytes] | None = None,
                 trailer_extra: str = "") -> bytes:
    objects = [
        f"<< /Type /Catalog /Pages 2 0 R {catalog_extra}>>".encode(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        page.encode(),
        _stream(PAGE_CONTENT),
        *(extra_objects or []),
    ]
    return pdf_document(objects, trailer_extra=trailer_extra)


def clean_pdf() -> bytes:
    return one_page_pdf()


def blank_pdf() -> bytes:
    """One A4 page with nothing on it (an empty content stream)."""
    return pdf_document([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                         b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>", _stream(b"")])


def pdf_with_javascript() -> bytes:
    action = b"<< /S /JavaScript /JS (app.alert\\('hi'\\);) >>"
    return one_page_pdf("/Names << /JavaScript << /Names [(x) 5 0 R] >> >>", extra_objects=[action])


def pdf_with_open_action() -> bytes:
    return one_page_pdf("/OpenAction 5 0 R", extra_objects=[b"<< /S /URI /URI (http://evil.example/) >>"])


def pdf_with_escaped_javascript_name() -> bytes:
    """`/J#61vaScript` is `/JavaScript` to every PDF reader."""
    return one_page_pdf("/OpenAction << /S /J#61vaScript /JS (1) >>")


def pdf_with_launch_action() -> bytes:
    return one_page_pdf("/OpenAction << /S /Launch /F (calc.exe) >>")


def pdf_with_page_additional_actions() -> bytes:
    page = PAGE[:-2] + " /AA << /O << /S /URI /URI (http://evil.example/) >> >> >>"
    return one_page_pdf(page=page)


def pdf_with_embedded_file() -> bytes:
    embedded = _stream(b"MZ pretend executable", "/Type /EmbeddedFile ")
    return one_page_pdf("/Names << /EmbeddedFiles << /Names [(a.exe) << /EF << /F 5 0 R >> >>] >> >>",
                        extra_objects=[embedded])


def pdf_with_xfa_form() -> bytes:
    return one_page_pdf("/AcroForm << /Fields [] /XFA 5 0 R >>", extra_objects=[_stream(b"<xdp/>")])


def pdf_declaring_encryption() -> bytes:
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O (x) /U (y) /P -4 >>"
    return one_page_pdf(extra_objects=[encrypt], trailer_extra="/Encrypt 5 0 R /ID [(a) (a)] ")


def pdf_hiding_open_action_in_object_stream() -> bytes:
    """The catalog lives compressed inside an /ObjStm, where a byte scan of the file cannot see it."""
    catalog = b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /URI /URI (http://evil.example/) >> >>"
    header = b"6 0 "
    packed = zlib.compress(header + catalog)
    object_stream = _stream(packed, f"/Type /ObjStm /N 1 /First {len(header)} /Filter /FlateDecode ")
    return one_page_pdf(extra_objects=[object_stream])


def pdf_with_uninspectable_object_stream() -> bytes:
    """An object stream in a filter no decoder knows: its dictionaries stay unseen."""
    object_stream = _stream(b"3620302030203c3c3e3e>", "/Type /ObjStm /N 1 /First 6 /Filter /NoSuchDecode ")
    return one_page_pdf(extra_objects=[object_stream])


def pdf_without_pages() -> bytes:
    return pdf_document([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])


def pdf_header_then_garbage() -> bytes:
    return b"%PDF-1.4\n" + bytes(range(256)) * 4


def pdf_truncated() -> bytes:
    whole = clean_pdf()
    return whole[: len(whole) // 3]


def pdf_with_html_payload() -> bytes:
    return one_page_pdf(extra_objects=[_stream(b"<html><script>alert(1)</script></html>")])


# -- active content inside an object stream that a cross-reference stream really points at, so PDFium
#    reads the compressed catalog (the files the byte scan of the first round let through)
SCRIPT_OPEN_ACTION = "/OpenAction << /S /JavaScript /JS (app.alert\\(1\\);) >>"


def _encode(data: bytes, filters: tuple[str, ...]) -> bytes:
    """Applies the filters so that a reader undoing them in the order listed gets `data` back."""
    for name in reversed(filters):
        if name == "FlateDecode":
            data = zlib.compress(data)
        elif name == "ASCIIHexDecode":
            data = data.hex().encode() + b">"
        else:
            raise ValueError(name)
    return data


def pdf_with_compressed_catalog(catalog_extra: str = SCRIPT_OPEN_ACTION, *, filters: tuple[str, ...] = ("FlateDecode",),
                                dictionary_extra: str = "", stream_eol: bytes = b"\n",
                                extra_compressed: list[bytes] | None = None) -> bytes:
    """Catalog and page tree live in object stream 5, listed by the cross-reference stream 6.

    `dictionary_extra` ends the object stream's dictionary, after /Type (e.g. a string holding `obj`),
    `stream_eol` follows its `stream` keyword (a bare CR is what some writers emit).
    """
    compressed = [f"<< /Type /Catalog /Pages 2 0 R {catalog_extra}>>".encode(),
                  b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", *(extra_compressed or [])]
    numbers = [1, 2] + list(range(7, 7 + len(extra_compressed or [])))
    offsets, body = [], b""
    for number, obj in zip(numbers, compressed):
        offsets.append(f"{number} {len(body)}")
        body += obj + b"\n"
    header = (" ".join(offsets) + "\n").encode()
    packed = _encode(header + body, filters)
    filter_names = " ".join(f"/{name}" for name in filters)
    object_stream = (f"<< /Type /ObjStm /N {len(compressed)} /First {len(header)} "
                     f"/Filter [{filter_names}] /Length {len(packed)} {dictionary_extra}>>\nstream").encode() + stream_eol + packed \
        + b"\nendstream"
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    plain_offsets = {}
    for number, obj in ((3, PAGE.encode()), (4, _stream(PAGE_CONTENT)), (5, object_stream)):
        plain_offsets[number] = len(out)
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    size = 7 + len(extra_compressed or [])
    plain_offsets[6] = len(out)
    rows = [b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    for number in range(1, size):
        if number in plain_offsets:
            rows.append(b"\x01" + plain_offsets[number].to_bytes(4, "big") + b"\x00\x00")
        else:
            rows.append(b"\x02" + (5).to_bytes(4, "big") + numbers.index(number).to_bytes(2, "big"))
    xref = b"".join(rows)
    out += (f"6 0 obj\n<< /Type /XRef /Size {size} /W [1 4 2] /Root 1 0 R /Length {len(xref)} >>\nstream\n"
            ).encode() + xref + b"\nendstream\nendobj\n"
    out += f"startxref\n{plain_offsets[6]}\n%%EOF\n".encode()
    return bytes(out)


def pdf_with_clean_compressed_catalog() -> bytes:
    return pdf_with_compressed_catalog("")


def pdf_script_in_object_stream_whose_dictionary_says_obj() -> bytes:
    return pdf_with_compressed_catalog(dictionary_extra="/Producer (obj) ")


def pdf_script_in_object_stream_after_bare_cr() -> bytes:
    return pdf_with_compressed_catalog(stream_eol=b"\r")


def pdf_script_in_object_stream_under_double_flate() -> bytes:
    return pdf_with_compressed_catalog(filters=("FlateDecode", "FlateDecode"))


def pdf_script_in_object_stream_under_hex_then_flate() -> bytes:
    return pdf_with_compressed_catalog(filters=("ASCIIHexDecode", "FlateDecode"))


def pdf_launch_in_object_stream() -> bytes:
    return pdf_with_compressed_catalog("/OpenAction << /S /Launch /F (calc.exe) >> ",
                                       filters=("FlateDecode", "FlateDecode"))


def pdf_page_actions_in_object_stream() -> bytes:
    return pdf_with_compressed_catalog("/AA << /WC << /S /URI /URI (http://evil.example/) >> >> ",
                                       filters=("FlateDecode", "FlateDecode"))


def pdf_embedded_file_in_object_stream() -> bytes:
    return pdf_with_compressed_catalog("/Names << /EmbeddedFiles << /Names [(a.exe) 7 0 R] >> >> ",
                                       filters=("FlateDecode", "FlateDecode"),
                                       extra_compressed=[b"<< /Type /Filespec /F (a.exe) >>"])


def pdf_xfa_in_object_stream() -> bytes:
    return pdf_with_compressed_catalog("/AcroForm 7 0 R ", filters=("FlateDecode", "FlateDecode"),
                                       extra_compressed=[b"<< /Fields [] /XFA (<xdp/>) >>"])


def pdf_rich_media_in_object_stream() -> bytes:
    return pdf_with_compressed_catalog("", filters=("FlateDecode", "FlateDecode"),
                                       extra_compressed=[b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 1 1] >>"])


def pdf_script_in_object_stream_with_unknown_filter() -> bytes:
    """A filter no reader we know decodes: whatever it holds stays unseen, so it must be refused."""
    data = pdf_script_in_object_stream_under_double_flate()
    return data.replace(b"/Filter [/FlateDecode /FlateDecode]", b"/Filter [/FlateDecode /Fl#61teDecod ]")
