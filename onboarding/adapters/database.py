"""Engines and schema. Built when first asked for, one per (URL, key set) per process.

The key set is part of the engine because encrypted columns take their sealer from the engine's
dialect (see `adapters.encryption`). An engine is migrated when it is built.
"""
from __future__ import annotations

import fcntl
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import sessionmaker

from onboarding.adapters.encryption import attach_sealer, configured_sealer, engine_sealer
from documents.private_files import ensure_private_file, tighten
from onboarding.adapters.orm import start_mappers
from onboarding.crypto import Sealer

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_MAX_ENGINES = 8

_engines: OrderedDict[tuple[str, int], Engine] = OrderedDict()
_engines_lock = threading.Lock()


def _tune_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the portal read while a flow writes; busy_timeout turns lock contention into waiting, not errors.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _build_engine(url: str, sealer: Sealer | None) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1].split("?", 1)[0] if "///" in url else ""
        if path and path != ":memory:" and not path.startswith("file:"):
            # 0600 before SQLite opens it: its -wal and -shm files take the database file's mode.
            ensure_private_file(Path(path))
            for companion in ("-wal", "-shm"):
                tighten(Path(f"{path}{companion}"))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _tune_sqlite)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    attach_sealer(engine, sealer)
    migrate(engine)
    return engine


def engine_for(url: str, sealer: Sealer | None = None) -> Engine:
    """The engine for `url` whose encrypted columns use `sealer`.

    Without a sealer (schema work: inspecting, disposing), any engine already open for `url` serves;
    failing that, a new one that refuses to touch encrypted columns.
    """
    with _engines_lock:
        if sealer is None:
            existing = next((e for (u, _), e in reversed(_engines.items()) if u == url), None)
            if existing is not None:
                return existing
        key = (url, id(sealer))
        engine = _engines.get(key)
        if engine is not None and engine_sealer(engine) is sealer:
            _engines.move_to_end(key)
            return engine
        engine = _build_engine(url, sealer)
        _engines[key] = engine
        while len(_engines) > _MAX_ENGINES:
            _, evicted = _engines.popitem(last=False)
            evicted.dispose()  # its pool would otherwise hold connections until garbage collection
        return engine


def session_factory(url: str, sealer: Sealer | None = None) -> sessionmaker:
    """Sessions over `engine_for(url, sealer)`; without a sealer, the keys `Services` would use."""
    start_mappers()
    return sessionmaker(bind=engine_for(url, sealer or configured_sealer()), expire_on_commit=False)


@contextmanager
def rolled_back_sessions(url: str, sealer: Sealer) -> Iterator[sessionmaker]:
    """Sessions inside one transaction that is rolled back at the end, for a dry run: a unit of work's commit
    only releases a savepoint, so nothing it writes is ever kept. Its own engine: pysqlite must leave BEGIN to
    us, or the first SAVEPOINT would open (and its RELEASE commit) a transaction of its own."""
    start_mappers()
    engine_for(url, sealer)  # the schema is current before anything reads it
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        def connect(dbapi_connection, record) -> None:
            dbapi_connection.isolation_level = None
            _tune_sqlite(dbapi_connection, record)

        event.listen(engine, "connect", connect)
        event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))
    else:
        engine = create_engine(url)
    attach_sealer(engine, sealer)
    try:
        with engine.connect() as connection:
            outer = connection.begin()
            try:
                yield sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
            finally:
                outer.rollback()
    finally:
        engine.dispose()


def migrate(engine: Engine, sealer: Sealer | None = None) -> None:
    """Bring the schema to the newest alembic revision; migrations that encrypt rows get the engine's sealer."""
    if _schema_is_current(engine):
        return  # the usual case: alembic (its imports and the scan of every revision) is not needed
    with _one_migration_at_a_time(engine):
        if not _schema_is_current(engine):  # another process may have migrated while this one waited
            _upgrade(engine, sealer)


@contextmanager
def _one_migration_at_a_time(engine: Engine) -> Iterator[None]:
    """Processes starting together on a new SQLite file (`onboard serve`'s portal and back office) would each
    create the tables, and all but one fail ("table applications already exists"): a lock file beside the
    database lets one migrate at a time. PostgreSQL's transactional DDL needs none."""
    path = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if not path or path == ":memory:":
        yield
        return
    with open(f"{path}.migrate.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or when this process dies
        yield


def _upgrade(engine: Engine, sealer: Sealer | None) -> None:
    # heavy import, paid only on the path that needs it
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        config.attributes["sealer"] = sealer or engine_sealer(engine)
        command.upgrade(config, "head")


def _schema_is_current(engine: Engine) -> bool:
    """Whether the database is at the newest revision; revision ids are the prefixes of the file names."""
    # heavy import, paid only on the path that needs it
    from sqlalchemy import inspect, text

    newest = max(path.name.split("_", 1)[0] for path in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py"))
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == newest
