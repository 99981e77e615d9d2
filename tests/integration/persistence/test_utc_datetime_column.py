"""Timestamps as SQLite stores them: the fast bind path writes exactly what SQLAlchemy's own would."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, create_engine, insert, select, text
from sqlalchemy.exc import StatementError

from onboarding.adapters.columns import UtcDateTime

BEIJING = timezone(timedelta(hours=8))


@pytest.fixture
def table(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'times.db'}")
    metadata = MetaData()
    times = Table("times", metadata, Column("id", Integer, primary_key=True), Column("at", UtcDateTime()),
                  Column("plain", DateTime()))
    metadata.create_all(engine)
    yield engine, times
    engine.dispose()


def test_stored_text_is_sqlalchemys_utc_text_and_reads_back_aware(table):
    engine, times = table
    values = [datetime(2026, 3, 26, 10, 0, 0, 5, tzinfo=BEIJING), datetime(999, 1, 2, 3, 4, 5, tzinfo=timezone.utc)]
    with engine.begin() as connection:
        connection.execute(insert(times), [
            {"at": value, "plain": value.astimezone(timezone.utc).replace(tzinfo=None)} for value in values * 2])
        stored = connection.execute(text("SELECT at, plain FROM times ORDER BY id")).all()
        read = connection.execute(select(times.c.at).order_by(times.c.id)).scalars().all()
    assert [at for at, _ in stored] == [plain for _, plain in stored]
    assert stored[0][0] == "2026-03-26 02:00:00.000005"
    assert read == values * 2 and all(value.tzinfo is timezone.utc for value in read)


def test_equal_instants_share_a_text_and_a_naive_time_is_still_refused(table):
    engine, times = table
    instant = datetime(2026, 3, 26, 2, tzinfo=timezone.utc)
    with engine.begin() as connection:
        connection.execute(insert(times), [{"at": instant}, {"at": instant.astimezone(BEIJING)}])
        assert connection.execute(text("SELECT DISTINCT at FROM times")).scalars().all() == [
            "2026-03-26 02:00:00.000000"]
    with pytest.raises(StatementError, match="naive datetimes are not stored"), engine.begin() as connection:
        connection.execute(insert(times), [{"at": datetime(2026, 3, 26, 2)}])
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM times")).scalar() == 2
