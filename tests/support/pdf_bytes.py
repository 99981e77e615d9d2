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
    """An object stream in a filter the gate cannot inflate (ASCIIHex): its dictionaries stay unseen."""
    object_stream = _stream(b"3620302030203c3c3e3e>", "/Type /ObjStm /N 1 /First 6 /Filter /ASCIIHexDecode ")
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
