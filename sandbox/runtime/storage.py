"""Units of work over the database: one transaction per action, writes serialized safely.

SQLite: WAL (checkpointed every WAL_CHECKPOINT_PAGES pages), synchronous=NORMAL, a busy timeout, and
every write transaction opened with BEGIN IMMEDIATE while holding an exclusive file lock, so concurrent
Pays in any number of server processes queue up instead of racing or backing off (architecture.md,
decision 3/8).
PostgreSQL: ordinary transactions; the domain locks instrument and account rows with
SELECT ... FOR UPDATE.

A thread that serves request after request (a gunicorn worker's, the background threads') keeps one
connection from unit to unit instead of checking one out of the pool each time (keep_thread_connection).

A sandbox of its own (runtime/sandboxes.py) is a database of its own: on SQLite a file beside the main
one, on PostgreSQL a schema on the same engine, chosen per unit of work by search_path (set only when a
pooled connection last served another sandbox), so 30 sandboxes need no more connections than one.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import Pool

from ..domain import driver_sql

WAL_CHECKPOINT_PAGES = 2000  # SQLite: WAL pages between automatic checkpoints (its default is 1000; see below)
SCHEMA = "fps_schema"  # a pooled PostgreSQL connection's info: the sandbox schema its search_path names
UNKNOWN = object()  # after a rollback: search_path may be back at any earlier value


class _Home(threading.local):
    """This thread's own connection, kept between units of work (Storage._connection), once the thread
    asked for it (keep_thread_connection)."""

    kept = False
    conn: Connection | None = None
    pool: Pool | None = None  # the engine's pool when it was checked out (a disposed engine has a new one)
    busy = False


_HOME = _Home()


def _forked() -> None:
    """In a forked process the connection the forking thread kept is the parent's: forgotten, never closed
    here, and the thread keeps none until it asks again."""
    _HOME.__dict__.clear()


os.register_at_fork(after_in_child=_forked)


def keep_thread_connection() -> None:
    """Keep a connection for this thread from one unit of work to the next, as a thread that serves many
    does: a gunicorn sync worker's (gunicorn.conf.py) and the background threads (runtime/worker.py). A
    thread that ends holding one would leave it to the garbage collector, so a thread made for one request
    (`flask run`) does not ask."""
    _HOME.kept = True


def release_thread_connection(engine: Engine | None = None) -> None:
    """Give back this thread's own connection (only if it is `engine`'s, when given): to its pool, or
    closed if its engine was disposed since (the old pool would keep it open for good)."""
    home, conn = _HOME, _HOME.conn
    if conn is None or (engine is not None and conn.engine is not engine):
        return
    disposed = home.pool is not conn.engine.pool
    home.conn = home.pool = None
    if conn.closed:
        return
    if disposed and not conn.invalidated:
        conn.invalidate()  # closes the driver's connection
    conn.close()


atexit.register(release_thread_connection)  # at exit, the main thread's: closed, not left to the collector


class Storage:
    """Opens read and write units of work on one engine (in one PostgreSQL schema when `schema` is set)."""

    def __init__(self, engine: Engine, lock_path: str | None = None, schema: str | None = None) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self.lock_path = lock_path if self.is_sqlite else None
        self.schema = schema
        self._local = threading.local()
        if self.is_sqlite:
            _configure_sqlite(engine)
        else:
            _configure_postgresql(engine)

    def sibling(self, name: str) -> Storage:
        """The storage of the sandbox `name` (lower-case letters, digits and '-'): a file beside this
        one's on SQLite, a schema beside this one's on PostgreSQL."""
        if self.is_sqlite:
            main = self.engine.url.database
            if main in (None, "", ":memory:"):
                raise ValueError("sandboxes of their own need a database file or PostgreSQL, not an in-memory "
                                 "database")
            folder = Path(main).with_name(Path(main).stem + ".sandboxes")
            folder.mkdir(exist_ok=True)
            path = folder / f"{name}.sqlite"
            return Storage(create_engine(f"sqlite:///{path}"), f"{path}.lock")
        with self.engine.connect() as conn:
            base = conn.info.get("fps_base_schema") or "public"
        prefix = "sbx" if base == "public" else f"{base}_sbx"
        return Storage(self.engine, schema=f"{prefix}_{name.replace('-', '_')}"[:63])

    def create_schema(self) -> None:
        """PostgreSQL: create this sandbox's schema if it is missing (SQLite makes the file on first use)."""
        if self.schema:
            with self.engine.begin() as conn:
                conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')

    def destroy(self) -> None:
        """Throw this sandbox's database away (the schema, or the file); never the default sandbox's."""
        release_thread_connection(self.engine)
        if self.is_sqlite:
            self.engine.dispose()
            for suffix in ("", "-wal", "-shm", ".lock"):
                Path(f"{self.engine.url.database}{suffix}").unlink(missing_ok=True)
        elif self.schema:
            with self.engine.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
        else:
            raise ValueError("the default sandbox's database is never thrown away")

    def _enter(self, conn: Connection) -> None:
        """PostgreSQL: point the connection's search_path at this storage's schema if it points elsewhere."""
        if self.is_sqlite or conn.info.get(SCHEMA) == self.schema:
            return
        conn.exec_driver_sql(f'SET search_path TO "{self.schema}"' if self.schema
                             else f"SET search_path TO {conn.info['fps_base_path']}")
        conn.info[SCHEMA] = self.schema

    @contextmanager
    def write(self, on: Connection | None = None) -> Iterator[Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises. `on`: a connection
        `read(snapshot=False)` gave, whose reads came first (one connection for both). What the unit asked
        to run at its end (driver_sql.at_end: a guarded write) runs before the commit."""
        with self._file_lock(), (nullcontext(on) if on is not None else self._connection()) as conn:
            if conn.in_transaction():  # a read through SQLAlchemy began one: end it before the write's
                conn.rollback()
            if not self.is_sqlite:  # the connection may have served a read (AUTOCOMMIT, REPEATABLE READ)
                conn = conn.execution_options(isolation_level=conn.default_isolation_level)
            conn = conn.execution_options(sandbox_immediate=True)
            try:
                with conn.begin():
                    self._enter(conn)
                    try:
                        yield conn
                    except BaseException:
                        driver_sql.end(conn, commit=False)
                        raise
                    driver_sql.end(conn, commit=True)
            finally:  # the connection serves reads next: a read's BEGIN is not IMMEDIATE
                conn.execution_options(sandbox_immediate=False)

    @contextmanager
    def read(self, snapshot: bool = True) -> Iterator[Connection]:
        """A read-only transaction (a consistent snapshot; never takes the write lock). Without `snapshot`,
        each statement reads on its own, with no BEGIN and no COMMIT (on PostgreSQL two round trips fewer),
        for a unit whose statements need not agree with each other (on SQLite a statement through
        SQLAlchemy still begins a read transaction; one straight through the driver does not)."""
        with self._connection() as conn:
            if not snapshot:
                if not self.is_sqlite:
                    conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                self._enter(conn)
                yield conn
                return
            if not self.is_sqlite:  # one snapshot for the whole unit, as SQLite's WAL gives
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                self._enter(conn)
                yield conn

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """The connection for one unit of work: this thread's own, kept from unit to unit (a pool checkout and
        check-in cost a signed read some 7% of its CPU, docs/performance.md); a pooled one while the
        thread's own serves an enclosing unit, or if the thread keeps none (keep_thread_connection).
        A thread keeps one, for the engine it used last (30 SQLite sandboxes, 30 engines, still hold one per
        thread). One that a unit left by an exception goes back to the pool (it may be broken), as does one
        of another engine; one whose engine was disposed is closed."""
        home = _HOME
        if home.busy or not home.kept:
            with self.engine.connect() as conn:
                yield conn
            return
        conn = home.conn
        if conn is None or conn.engine is not self.engine or home.pool is not self.engine.pool or conn.closed \
                or conn.invalidated:
            release_thread_connection()
            conn = self.engine.connect()
            home.conn, home.pool = conn, self.engine.pool
        home.busy = True
        try:
            yield conn
            if conn.in_transaction():  # what the pool's check-in would do: end a read's transaction
                conn.rollback()
        except BaseException:
            release_thread_connection()
            raise
        finally:
            home.busy = False

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


def _configure_postgresql(engine: Engine) -> None:
    """Remember each new connection's own search_path (the default sandbox's), and forget which sandbox a
    connection serves when a transaction rolls back (a SET inside it is undone with it). The pool's reset
    on return needs nothing: every unit of work has committed or rolled back by then, and a committed SET
    stays (a listener there would cost every request a SET)."""
    if getattr(engine, "_sandbox_configured", False):
        return
    engine._sandbox_configured = True  # type: ignore[attr-defined]

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, record):
        cur = dbapi_conn.cursor()
        cur.execute("SELECT current_setting('search_path'), current_schema()")
        record.info["fps_base_path"], record.info["fps_base_schema"] = cur.fetchone()
        cur.close()
        dbapi_conn.commit()
        record.info[SCHEMA] = None

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn):
        if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":  # there a SET stays at once
            conn.info[SCHEMA] = UNKNOWN


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
            # A Pay writes some 27 pages, most of them the same from Pay to Pay (an index's last leaf): a
            # checkpoint every 2,000 pages copies each of them once where two every 1,000 copied it twice,
            # with half the fsyncs (docs/performance.md: +9% Pays/s, the ceiling's unchanged; 4,000 gave
            # a little more and a longer p99)
            cur.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # straight to the driver: SQLAlchemy's statement machinery costs more than BEGIN
        immediate = conn.get_execution_options().get("sandbox_immediate")
        conn.connection.dbapi_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
