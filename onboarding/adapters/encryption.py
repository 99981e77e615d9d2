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

from sqlalchemy import Text, column as raw_column, select, table as raw_table, tuple_

from onboarding.crypto import Sealer, load_or_create_key_file
from onboarding.settings import Settings, get_settings

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Engine, Table
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


# ---- re-sealing under the newest key (`onboard keys rotate`) -------------------------------------


class SealedColumn:
    """One column holding Fernet tokens, read and written raw (as text) so no TypeDecorator re-encrypts."""

    def __init__(self, table: "Table", column: str) -> None:
        self.name = f"{table.name}.{column}"
        keys = [c.name for c in table.primary_key.columns]
        # Keys untyped: they are bound back exactly as they were read.
        self._raw = raw_table(table.name, *(raw_column(k) for k in keys), raw_column(column, Text()))
        self._keys = [self._raw.c[k] for k in keys]
        self._value = self._raw.c[column]

    def chunk(self, connection, after: tuple | None, size: int) -> list[tuple[tuple, str]]:
        query = (select(*self._keys, self._value).where(self._value.is_not(None))
                 .order_by(*self._keys).limit(size))
        if after is not None:
            query = query.where(tuple_(*self._keys) > tuple_(*after))
        return [(tuple(row[:-1]), row[-1]) for row in connection.execute(query)]

    def replace(self, connection, key: tuple, old: str, new: str) -> bool:
        """Compare-and-set: a value rewritten since it was read (by a writer with the new keys) is left alone."""
        statement = (self._raw.update()
                     .where(*(k == v for k, v in zip(self._keys, key)), self._value == old)
                     .values({self._value: new}))
        return connection.execute(statement).rowcount == 1


def sealed_columns() -> list[SealedColumn]:
    """Every column encrypted with the process's keys, found by type so a new encrypted column is included."""
    # here, not at the top: that module imports this one
    from onboarding.adapters.columns import EncryptedJSON, EncryptedText
    from onboarding.adapters.orm import upload_links
    from onboarding.adapters.schema import metadata

    found = [SealedColumn(table, c.name) for table in metadata.sorted_tables for c in table.columns
             if isinstance(c.type, (EncryptedText, EncryptedJSON))]
    return [*found, SealedColumn(upload_links, "sealed_token")]  # sealed by the service, not by its type
