"""A write admitted on its read's connection (runtime/storage.py: `write(on=...)`, as the Query API does):
one pool checkout, and still one real transaction that commits or rolls back as a whole."""

from datetime import datetime

import pytest
from sqlalchemy import insert, select

from sandbox.models import SandboxMeta
from tests.conftest import services_of


def test_a_write_on_the_reads_connection_rolls_back_as_a_whole(app):
    storage = services_of(app).storage
    with pytest.raises(RuntimeError):
        with storage.read(snapshot=False) as reads:
            reads.execute(select(SandboxMeta.key)).all()  # a read through SQLAlchemy (SQLite: it begins one)
            with storage.write(on=reads) as conn:
                conn.execute(insert(SandboxMeta).values(key="unit-test", value="1"))
                raise RuntimeError("the change fails half-way")
    with storage.read() as conn:
        assert conn.execute(select(SandboxMeta.value).where(SandboxMeta.key == "unit-test")).first() is None


def test_a_write_on_the_reads_connection_commits_and_is_seen_elsewhere(app):
    storage = services_of(app).storage
    with storage.read(snapshot=False) as reads:
        reads.execute(select(SandboxMeta.key)).all()
        with storage.write(on=reads) as conn:
            conn.execute(insert(SandboxMeta).values(key="unit-test", value=str(datetime(2026, 1, 1))))
        assert not reads.in_transaction()
    with storage.read() as conn:
        assert conn.execute(select(SandboxMeta.value).where(SandboxMeta.key == "unit-test")).scalar_one() \
            == "2026-01-01 00:00:00"


def test_sqlite_checkpoints_its_wal_every_two_thousand_pages_not_every_thousand(tmp_path):
    """A Pay rewrites mostly the same pages; SQLite's default checkpoint (every 1,000 pages) copied each of them
    back more often (docs/performance.md). Every connection of a file database gets the larger interval,
    and the WAL holds more than 1,000 pages before it is checkpointed."""
    from sqlalchemy import create_engine, text

    from sandbox.runtime.storage import WAL_CHECKPOINT_PAGES, Storage

    storage = Storage(create_engine(f"sqlite:///{tmp_path / 'wal.sqlite'}"), str(tmp_path / "wal.lock"))
    with storage.write() as conn:
        conn.execute(text("CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT)"))
    for n in range(450):  # three pages each (a row, its overflow, page 1), one commit each: some 1,400 in all
        with storage.write() as conn:
            conn.execute(text("INSERT INTO filler (body) VALUES (:body)"), {"body": f"{n:05d}" * 900})
    with storage.read(snapshot=False) as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == WAL_CHECKPOINT_PAGES == 2000
        busy, frames, _ = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    assert busy == 0 and 1000 < frames < WAL_CHECKPOINT_PAGES, frames  # SQLite's default: restarted by now
    storage.engine.dispose()
