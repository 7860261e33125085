"""Units of work over the database: one transaction per action, writes serialized safely.

SQLite: WAL, synchronous=NORMAL, a busy timeout, and every write transaction opened with
BEGIN IMMEDIATE while holding an exclusive file lock, so concurrent Pays in any number of
server processes queue up instead of racing or backing off (architecture.md, decision 3/8).
PostgreSQL: ordinary transactions; the domain locks instrument and account rows with
SELECT ... FOR UPDATE.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, event


class Storage:
    """Opens read and write units of work on one engine."""

    def __init__(self, engine: Engine, lock_path: str | None = None) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self.lock_path = lock_path if self.is_sqlite else None
        self._local = threading.local()
        if self.is_sqlite:
            _configure_sqlite(engine)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        with self._file_lock():
            with self.engine.connect() as conn:
                conn = conn.execution_options(sandbox_immediate=True)
                with conn.begin():
                    yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction (a consistent snapshot; never takes the write lock)."""
        with self.engine.connect() as conn:
            if not self.is_sqlite:  # one snapshot for the whole unit, as SQLite's WAL gives
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        if not self.lock_path:
            yield
            return
        fd = getattr(self._local, "fd", None)
        if fd is None:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            self._local.fd = fd
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


def _configure_sqlite(engine: Engine) -> None:
    """Take over SQLite's transaction handling so BEGIN IMMEDIATE is possible."""
    if getattr(engine, "_sandbox_configured", False):
        return
    engine._sandbox_configured = True  # type: ignore[attr-defined]

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout = 10000")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA synchronous = NORMAL")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get("sandbox_immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
