"""The columns that hold Fernet tokens, read and rewritten raw for re-sealing under the newest key
(`onboard keys rotate`, onboarding/service/keys.py)."""
from __future__ import annotations

from sqlalchemy import Table, Text, column as raw_column, select, table as raw_table, tuple_

from onboarding.adapters.columns import EncryptedJSON, EncryptedText
from onboarding.adapters.orm import upload_links
from onboarding.adapters.schema import metadata


class SealedColumn:
    """One column holding Fernet tokens, read and written raw (as text) so no TypeDecorator re-encrypts."""

    def __init__(self, table: Table, column: str) -> None:
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
    found = [SealedColumn(table, c.name) for table in metadata.sorted_tables for c in table.columns
             if isinstance(c.type, (EncryptedText, EncryptedJSON))]
    return [*found, SealedColumn(upload_links, "sealed_token")]  # sealed by the service, not by its type
