"""Row locks that hold on both databases.

PostgreSQL takes `SELECT … FOR UPDATE`. SQLite ignores it, and its driver starts a transaction only at the
first write, so two transactions can both read the same state and then both write from it (three current
ID photos from parallel uploads). There the lock is the database's write lock, taken when the transaction
starts (BEGIN IMMEDIATE): the second writer waits (busy_timeout) and then reads what the first committed.
"""
from __future__ import annotations

from sqlalchemy import Select
from sqlalchemy.orm import Session


def locked(session: Session, query: Select) -> Select:
    """`query` made to lock what it reads until the transaction ends."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        # Rows this session read before the lock may be stale: read them again.
        return query.execution_options(populate_existing=True)
    return query.with_for_update().execution_options(populate_existing=True)
