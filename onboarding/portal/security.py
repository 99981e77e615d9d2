"""What every response carries, and what an upload token and a document id must look like."""
from __future__ import annotations

import re

# No scripts, no third-party anything; the only images are our own thumbnails.
CONTENT_SECURITY_POLICY = ("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
                           "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # The token is in the URL: a link or image elsewhere must never receive it as a referrer.
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
DEFAULT_CACHE_CONTROL = "no-store"

# secrets.token_urlsafe(32): 32 bytes → 43 urlsafe base64 characters, no padding.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
_DOCUMENT_ID = re.compile(r"DOC-[0-9A-Z]{10}")
_TOKEN_IN_PATH = re.compile(r"(/r/)([A-Za-z0-9_-]{4})[A-Za-z0-9_-]*")
_BARE_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])([A-Za-z0-9_-]{4})[A-Za-z0-9_-]{39}(?![A-Za-z0-9_-])")


def is_token_shaped(token: str) -> bool:
    return _TOKEN.fullmatch(token) is not None


def is_document_id_shaped(document_id: str) -> bool:
    return _DOCUMENT_ID.fullmatch(document_id) is not None


def mask_tokens(text: str) -> str:
    """Logs keep the first four characters of a token, enough to tell requests apart, not to use them."""
    return _BARE_TOKEN.sub(r"\1…", _TOKEN_IN_PATH.sub(r"\1\2…", text))


def mask_token(token: str) -> str:
    return f"{token[:4]}…"
