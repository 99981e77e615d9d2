"""Envelope encryption of stored document files: each file has its own data key (AES-256-GCM), and only
that key is sealed under the installation's key set. Rotating keys re-seals the small key, not the file.

Layout: MAGIC, the sealed data key (an ASCII token) and a newline, a 12-byte nonce, the ciphertext. The
file's digest (the sha256 of the plaintext, its name) is authenticated with it, so a file moved to another
name does not open. Files written before encryption start with no MAGIC and are read as they are.
"""
from __future__ import annotations

import base64
import os
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"ONBOARD-ENVELOPE-1\n"
_NONCE = 12


class KeyWrapper(Protocol):
    """Seals short secrets under a key set: the newest key seals, every key opens (onboarding's Sealer)."""

    def seal(self, value: str) -> str: ...

    def open(self, sealed: str) -> str | None: ...


class EnvelopeUnreadable(RuntimeError):
    """A sealed file that the configured keys cannot open, or whose bytes were altered."""


def is_sealed(stored: bytes) -> bool:
    return stored.startswith(MAGIC)


def seal_file(data: bytes, digest: str, wrapper: KeyWrapper) -> bytes:
    key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(_NONCE)
    ciphertext = AESGCM(key).encrypt(nonce, data, digest.encode())
    return MAGIC + wrapper.seal(base64.b64encode(key).decode()).encode() + b"\n" + nonce + ciphertext


def open_file(stored: bytes, digest: str, wrapper: KeyWrapper | None) -> bytes:
    """The plaintext of a stored file, sealed or written before encryption."""
    if not is_sealed(stored):
        return stored
    key, body = _data_key(stored, digest, wrapper)
    try:
        return AESGCM(key).decrypt(body[:_NONCE], body[_NONCE:], digest.encode())
    except InvalidTag:
        raise EnvelopeUnreadable(f"document file {digest} was altered or belongs to another name") from None


def reseal_file(stored: bytes, digest: str, wrapper: KeyWrapper) -> bytes:
    """The same file with its data key sealed under the newest key; a file stored in clear gets sealed."""
    if not is_sealed(stored):
        return seal_file(stored, digest, wrapper)
    key, body = _data_key(stored, digest, wrapper)
    return MAGIC + wrapper.seal(base64.b64encode(key).decode()).encode() + b"\n" + body


def _data_key(stored: bytes, digest: str, wrapper: KeyWrapper | None) -> tuple[bytes, bytes]:
    if wrapper is None:
        raise EnvelopeUnreadable(f"document file {digest} is encrypted and this store has no keys")
    token, newline, body = stored[len(MAGIC):].partition(b"\n")
    plaintext = wrapper.open(token.decode("ascii", "replace")) if newline else None
    if plaintext is None:
        raise EnvelopeUnreadable(f"document file {digest} opens with none of the configured keys "
                                 "(ONBOARD_SECRET_KEYS); was a key removed before `onboard keys rotate` finished?")
    return base64.b64decode(plaintext), body
