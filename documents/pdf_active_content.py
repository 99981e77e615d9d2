"""Find what makes a PDF act on its own, by parsing its objects rather than by matching bytes.

A byte scan sees only what is written in the clear. Dictionaries can hide inside object streams, behind
any chain of filters (FlateDecode twice, ASCIIHex then Flate, ...), and a hand-made parser that looks for
`stream` or `obj` can be led astray by a dictionary that contains those bytes or by a `stream` keyword
ending with a bare CR. So every object is parsed with pypdf, every object stream is decoded through its
whole filter chain, and both the objects the cross-reference table names and every object physically
present in the file are looked at (PDFium repairs a broken table by scanning the file, so a reader may
see objects the table does not name).

Every object stream's own dictionary is necessarily in the clear (a stream cannot sit inside another),
so counting the `/ObjStm` names in the file body tells how many object streams exist; one we could not
decode is a refusal, never a pass.
"""
from __future__ import annotations

import logging
import re
from io import BytesIO

# Names that make a PDF do something when opened, carry other files, or hide its content.
FORBIDDEN_PDF_NAMES = frozenset(
    {
        "JavaScript",
        "JS",
        "OpenAction",
        "AA",
        "Launch",
        "SubmitForm",
        "ImportData",
        "EmbeddedFile",
        "EmbeddedFiles",
        "RichMedia",
        "XFA",
        "Encrypt",
    }
)

_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_OBJECT_HEADER = re.compile(rb"(?<![0-9])(\d{1,10})[\x00\t\n\x0c\r ]+(\d{1,5})[\x00\t\n\x0c\r ]+obj")
_OBJECT_STREAM = "ObjStm"
# Nested arrays and dictionaries deeper than this are not a scan; refuse rather than recurse forever.
_MAX_DEPTH = 200
# Decoded object streams in all: plenty for a scan, small enough that a bomb is refused, not inflated.
_MAX_DECODED_BYTES = 16 * 1024 * 1024


class PdfNotInspectable(ValueError):
    """Part of the PDF that a reader could act on cannot be decoded by the scan."""


def forbidden_pdf_names(data: bytes) -> set[str]:
    """Forbidden names anywhere in the PDF: in the clear, in any object, inside object streams after their filters.

    Raises PdfNotInspectable when an object stream cannot be decoded (unknown filter, damage, too large).
    """
    found = _names_in(data)
    scan = _StructureScan(data)
    found |= scan.names
    if scan.decoded_object_streams < _count(_names_list(data), _OBJECT_STREAM):
        raise PdfNotInspectable("PDF has an object stream that cannot be inspected")
    return found & FORBIDDEN_PDF_NAMES


class _StructureScan:
    def __init__(self, data: bytes) -> None:
        self.names: set[str] = set()
        self.decoded_object_streams = 0
        self._decoded_bytes = 0
        logging.getLogger("pypdf").setLevel(logging.ERROR)  # its repair notes are not the merchant's business
        from pypdf import PdfReader  # deferred: only PDFs need it

        try:
            reader = PdfReader(BytesIO(data), strict=False)
        except Exception:
            reader = None  # no usable trailer: the physical objects below are still parsed
        if reader is not None:
            self._scan_listed_objects(reader)
        self._scan_physical_objects(data, reader)

    def _scan_listed_objects(self, reader) -> None:
        # heavy import, paid only on the path that needs it
        from pypdf.generic import IndirectObject

        listed = [(number, generation) for generation, table in reader.xref.items() for number in table]
        listed += [(number, 0) for number in reader.xref_objStm]
        for number, generation in listed:
            try:
                value = reader.get_object(IndirectObject(number, generation, reader))
            except PdfNotInspectable:
                raise
            except Exception:
                continue  # an object pypdf cannot read is still met below, at its place in the file
            self._walk(value, physical=False)

    def _scan_physical_objects(self, data: bytes, reader) -> None:
        # heavy import, paid only on the path that needs it
        from pypdf._utils import read_non_whitespace
        from pypdf.generic import read_object

        stream = reader.stream if reader is not None else BytesIO(data)
        for match in _OBJECT_HEADER.finditer(data):
            try:
                stream.seek(match.end())
                read_non_whitespace(stream)
                stream.seek(-1, 1)
                value = read_object(stream, reader)
            except PdfNotInspectable:
                raise
            except Exception:
                continue  # not an object after all (or damaged); its clear-text names were already scanned
            self._walk(value, physical=True)

    def _walk(self, value, *, physical: bool) -> None:
        """`physical`: an object read at its place in the file, so each object stream is counted once."""
        # heavy import, paid only on the path that needs it
        from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject

        pending = [(value, 0)]
        while pending:
            item, depth = pending.pop()
            if depth > _MAX_DEPTH:
                raise PdfNotInspectable("PDF nests its objects too deeply to be inspected")
            if isinstance(item, NameObject):
                self.names.add(str(item)[1:])
            elif isinstance(item, DictionaryObject):
                for key, child in item.items():
                    self.names.add(str(key)[1:])
                    pending.append((child, depth + 1))
                if isinstance(item, StreamObject) and item.get("/Type") == "/" + _OBJECT_STREAM:
                    self._decode_object_stream(item, count=physical)
            elif isinstance(item, ArrayObject):
                pending.extend((child, depth + 1) for child in item)

    def _decode_object_stream(self, stream, *, count: bool) -> None:
        try:
            decoded = stream.get_data()  # the whole filter chain, in order
        except Exception:
            raise PdfNotInspectable("PDF has an object stream that cannot be inspected") from None
        self._decoded_bytes += len(decoded)
        if self._decoded_bytes > _MAX_DECODED_BYTES:
            raise PdfNotInspectable("PDF object streams inflate beyond what is inspected")
        self.decoded_object_streams += count
        # Every name inside, whatever pypdf makes of the offsets (a table pointing past an object hides nothing).
        self.names |= _names_in(decoded)


def _names_list(chunk: bytes) -> list[str]:
    return [_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1)).decode("latin-1")
            for match in _NAME.finditer(chunk)]


def _names_in(chunk: bytes) -> set[str]:
    return set(_names_list(chunk))


def _count(names: list[str], wanted: str) -> int:
    return sum(1 for name in names if name == wanted)
