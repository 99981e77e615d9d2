"""Which sealer an engine encrypts PII columns with, and how the process finds its keys.

A sealer belongs to an engine. SQLAlchemy hands the engine's dialect to every
`process_bind_param` / `process_result_value` of a TypeDecorator, and each engine has a dialect of
its own, so the sealer is kept on that dialect: ORM flushes, Core statements, INSERT … SELECT,
migrations and every thread all see the same keys without a global or a context variable. The
cost is one engine per (database URL, key set); `sealer_for_keys` gives equal key lists the same
`Sealer`, so one process with one configuration still opens one engine per database.
"""
from __future__ import annotations

import time
from functools import lru_cache
from typing import TYPE_CHECKING

from onboarding.crypto import Sealer, load_or_create_key_file
from onboarding.settings import Settings, get_settings

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Engine
    from sqlalchemy.engine import Dialect


_DIALECT_ATTRIBUTE = "onboard_sealer"


class SealerMissing(RuntimeError):
    """An encrypted column was touched through an engine built without keys."""


class UnreadableCiphertext(RuntimeError):
    """A stored value opens with none of the configured keys."""


@lru_cache(maxsize=8)
def sealer_for_keys(keys: tuple[str, ...]) -> Sealer:
    return Sealer(list(keys))


def configured_keys(settings: "Settings") -> tuple[str, ...]:
    """`ONBOARD_SECRET_KEYS` (newest first), else the embedded default's key file beside its database.

    Every process that shares a database must share its keys: with PostgreSQL on several machines, set
    ONBOARD_SECRET_KEYS everywhere rather than letting each machine's home grow a key file of its own.
    """
    if settings.secret_keys:
        return tuple(settings.secret_keys)
    return (_key_file(settings.resolved_home / "secret.key"),)


def _key_file(path: "Path") -> str:
    # Processes starting together on a fresh home race to create the file: the loser waits for the winner's key.
    for _ in range(100):
        try:
            key = load_or_create_key_file(path)
        except FileExistsError:
            key = ""
        if key:
            return key
        time.sleep(0.02)
    raise RuntimeError(f"key file {path} exists but stays empty")


def configured_sealer(settings: "Settings | None" = None) -> Sealer:
    """The sealer `Services` uses; for tools and tests that build a session factory by hand."""
    if settings is None:
        settings = get_settings()
    return sealer_for_keys(configured_keys(settings))


def attach_sealer(engine: "Engine", sealer: Sealer | None) -> None:
    setattr(engine.dialect, _DIALECT_ATTRIBUTE, sealer)


def engine_sealer(engine: "Engine") -> Sealer | None:
    return getattr(engine.dialect, _DIALECT_ATTRIBUTE, None)


def dialect_sealer(dialect: "Dialect") -> Sealer:
    sealer = getattr(dialect, _DIALECT_ATTRIBUTE, None)
    if sealer is None:
        raise SealerMissing("this engine has no keys for encrypted columns; build it with "
                            "engine_for(url, sealer) or session_factory(url, sealer)")
    return sealer


def seal(dialect: "Dialect", plaintext: str) -> str:
    return dialect_sealer(dialect).seal(plaintext)


def open_sealed(dialect: "Dialect", token: str) -> str:
    plaintext = dialect_sealer(dialect).open(token)
    if plaintext is None:
        raise UnreadableCiphertext(
            "an encrypted value opens with none of the configured keys (ONBOARD_SECRET_KEYS); "
            "was a key removed before `onboard keys rotate` finished?")
    return plaintext
