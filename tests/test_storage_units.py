"""Units of work (runtime/storage.py): a write admitted on its read's connection (`write(on=...)`, as the
Query API does) is still one real transaction that commits or rolls back as a whole; a thread's own
connection serves unit after unit, without carrying one unit's settings into the next; SQLite's WAL."""

import sqlite3
import threading
from datetime import datetime

import pytest
from sqlalchemy import create_engine, insert, select, text

from conftest import in_forked_child, services_of
from sandbox.models import SandboxMeta
from sandbox.runtime import storage as storage_module
from sandbox.runtime.storage import WAL_CHECKPOINT_PAGES, Storage, release_thread_connection


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


def test_units_of_work_on_one_thread_share_its_own_connection(app):
    """A thread that keeps a connection (as gunicorn's worker does, and this test session's: conftest.py) uses
    one from unit to unit, with no pool checkout; a unit inside a unit gets a pooled one of its own."""
    storage = services_of(app).storage
    with storage.read() as first:
        with storage.read(snapshot=False) as inner:
            assert inner is not first
    assert inner.closed and not first.closed  # the inner one went back to the pool; the thread's stays
    seen = []
    for unit in (storage.read, lambda: storage.read(snapshot=False), storage.write, storage.read):
        with unit() as conn:
            conn.execute(select(SandboxMeta.key)).all()
            seen.append(conn)
        assert not conn.in_transaction()  # a read's transaction ends with the unit, as a check-in would end it
    assert all(conn is first for conn in seen)
    assert storage.engine.pool.checkedout() == 1


def test_a_unit_that_fails_gives_its_connection_back(app):
    storage = services_of(app).storage
    with storage.read() as kept:
        pass
    with pytest.raises(RuntimeError):
        with storage.read() as failed:
            assert failed is kept
            raise RuntimeError("a unit that fails may leave its connection broken")
    assert failed.closed and storage.engine.pool.checkedout() == 0
    with storage.write() as conn:
        assert conn is not failed
        conn.execute(insert(SandboxMeta).values(key="unit-test", value="1"))
    with storage.read() as conn:
        assert conn.execute(select(SandboxMeta.value).where(SandboxMeta.key == "unit-test")).scalar_one() == "1"


def test_a_read_after_a_write_on_the_same_connection_takes_no_lock_and_its_own_isolation(app):
    """A write's settings do not stay with the thread's connection: the read after it does not take SQLite's
    write lock (BEGIN IMMEDIATE), and on PostgreSQL each unit runs at its own isolation level."""
    storage = services_of(app).storage
    pg = not storage.is_sqlite
    with storage.write() as conn:
        conn.execute(insert(SandboxMeta).values(key="unit-test", value="1"))
        assert not pg or conn.exec_driver_sql("SHOW transaction_isolation").scalar_one() == "read committed"
    with storage.read() as conn:
        assert conn.execute(select(SandboxMeta.value).where(SandboxMeta.key == "unit-test")).scalar_one() == "1"
        if pg:
            assert conn.exec_driver_sql("SHOW transaction_isolation").scalar_one() == "repeatable read"
        else:  # another connection can still take the write lock, at once
            other = sqlite3.connect(storage.engine.url.database, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
            finally:
                other.close()
    with storage.read(snapshot=False) as conn:
        assert not pg or conn.connection.driver_connection.autocommit
    with storage.write() as conn:
        conn.execute(insert(SandboxMeta).values(key="unit-test-2", value="2"))
        if pg:
            assert not conn.connection.driver_connection.autocommit
            assert conn.exec_driver_sql("SHOW transaction_isolation").scalar_one() == "read committed"
    with storage.read() as conn:
        assert conn.execute(select(SandboxMeta.value).where(SandboxMeta.key == "unit-test-2")).scalar_one() == "2"


def test_a_thread_keeps_one_connection_for_the_engine_it_used_last(tmp_path):
    """Another engine's unit gives the first engine's connection back to its pool, and a disposed engine's
    is closed (its old pool would keep it open for good); a thread that did not ask keeps none."""
    one = Storage(create_engine(f"sqlite:///{tmp_path / 'one.sqlite'}"), str(tmp_path / "one.lock"))
    two = Storage(create_engine(f"sqlite:///{tmp_path / 'two.sqlite'}"), str(tmp_path / "two.lock"))
    with one.read() as first:
        pass
    assert one.engine.pool.checkedout() == 1
    with two.read():
        assert first.closed and one.engine.pool.checkedout() == 0
    with one.read() as again:
        driver = again.connection.driver_connection
    one.engine.dispose()
    with two.read():
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            driver.execute("SELECT 1")
    elsewhere = []

    def unit_in_a_thread_of_its_own():
        with two.read() as conn:
            elsewhere.append(conn)

    thread = threading.Thread(target=unit_in_a_thread_of_its_own)
    thread.start()
    thread.join()
    assert elsewhere[0].closed and two.engine.pool.checkedout() == 1  # only this thread's
    release_thread_connection(two.engine)
    assert two.engine.pool.checkedout() == 0
    for storage in (one, two):
        storage.engine.dispose()


def test_a_forked_process_forgets_the_connection_its_parent_kept(app):
    """The connection belongs to the parent: the child neither uses nor closes it, and keeps none of its own
    until it asks (as a gunicorn worker does after the fork)."""
    storage = services_of(app).storage
    with storage.read() as parents:
        pass
    assert in_forked_child(lambda: f"{storage_module._HOME.conn is None} {storage_module._HOME.kept}") == "True False"
    with storage.read() as conn:  # the parent's is still its own, open
        assert conn is parents and not conn.closed

