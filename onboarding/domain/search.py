"""Keyed digests of identifiers, so encrypted columns can be searched and compared without decrypting them.

HMAC-SHA256 under a key kept apart from the database: the digests of 18-digit ID numbers or 11-digit phone
numbers cannot be brute-forced from a copy of the database alone, as plain hashes of them could.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from enum import StrEnum


class IndexKind(StrEnum):
    ID_NUMBER = "id_number"
    PHONE = "phone"
    CARD_NUMBER = "card_number"  # the settlement account number
    USCC = "uscc"                # read from the business licence


_SEPARATORS = re.compile(r"[\s\-_.]")


def normalise(kind: IndexKind, value: str | None) -> str | None:
    """The form two spellings of the same identifier share (full-width digits, spaces, +86, lower-case x)."""
    if not value:
        return None
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", value)).upper()
    if kind == IndexKind.PHONE:
        text = text.removeprefix("+86").removeprefix("0086")
        return text if text.isdigit() and len(text) == 11 else None
    if kind == IndexKind.ID_NUMBER:
        return text if re.fullmatch(r"[0-9]{17}[0-9X]|[0-9]{15}", text) else None
    if kind == IndexKind.CARD_NUMBER:
        return text if text.isdigit() and 8 <= len(text) <= 30 else None
    if kind == IndexKind.USCC:
        return text if re.fullmatch(r"[0-9A-HJ-NPQRTUWXY]{18}", text) else None
    return None


def digest(key: bytes, kind: IndexKind, value: str | None) -> str | None:
    normal = normalise(kind, value)
    if normal is None:
        return None
    return hmac.new(key, f"{kind}:{normal}".encode(), hashlib.sha256).hexdigest()


def search_digests(key: bytes, text: str) -> dict[IndexKind, str]:
    """Every kind the typed text could be (a staff member types a number without saying which)."""
    found = {}
    for kind in (IndexKind.ID_NUMBER, IndexKind.PHONE, IndexKind.CARD_NUMBER, IndexKind.USCC):
        value = digest(key, kind, text)
        if value is not None:
            found[kind] = value
    return found
