"""The hot path's statements sent straight through the database driver.

SQLAlchemy's work around a statement (an execution context, events, a result object) costs more than
SQLite's insert itself, and a Pay makes eight of them. Here a statement is compiled once per dialect and set of
columns, its parameters converted by the column types' own bind processors (a datetime stored as SQLite
text exactly as SQLAlchemy stores it), its row's values by their result processors, and it runs on the
connection's driver inside the same transaction, its parameters in order (on PostgreSQL as $1, $2, ... on
psycopg's raw cursor, which sends the SQL as it is). A driver error is raised as SQLAlchemy's
(IntegrityError, OperationalError), as Connection.execute raises it, so callers handle both alike.
What comes back: a row count, a new row's id, or one row with its columns by name. A one-row `Read` can
ride beside another SELECT (`beside`): one round trip for both.
"""

from __future__ import annotations

import copy
import sqlite3
from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, Insert, Select, true
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.dml import UpdateBase


_IDLE = 0  # psycopg.pq.TransactionStatus.IDLE: no transaction open on the connection
_AT_END = "fps_at_end"  # Connection.info: what runs when the unit of work ends (`at_end`)
_ROWS_PER_INSERT = 500  # SQLite: rows in one INSERT of `execute_many` (at most its parameter limit allows)


class Changed(Exception):
    """A guarded write found its row changed since it was read ahead: nothing was written (linked_rows.py)."""


@dataclass(frozen=True)
class _Compiled:
    sql: str
    order: tuple[str, ...]  # the parameter names in order (every statement is compiled positional)
    processors: dict[str, Callable[[Any], Any]]
    defaults: dict[str, Any]  # values the row leaves out: an INSERT column's constant default, a literal
    row: Callable[..., tuple] | None = None  # the row type of a SELECT or a RETURNING: its columns by name
    results: tuple[Callable[[Any], Any] | None, ...] = ()  # their result processors, by column

    @cached_property
    def _positions(self) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
        return tuple((name, self.processors.get(name)) for name in self.order)

    def parameters(self, row: dict) -> Sequence:
        if self.defaults:
            row = {**self.defaults, **row}
        return tuple([row[name] if proc is None else proc(row[name]) for name, proc in self._positions])


_COMPILED: dict[tuple, _Compiled] = {}  # a handful: one per hot statement, dialect and column set
_KEPT: dict[int, ClauseElement] = {}  # each cached statement, alive: its id is part of the key


def _compiled(conn: Connection, statement: ClauseElement, keys: tuple[str, ...]) -> _Compiled:
    cache_key = (id(statement), conn.dialect.name, keys)
    found = _COMPILED.get(cache_key)
    if found is None:
        dialect = _positional(conn.dialect)
        defaults = constant_defaults(statement, keys)
        compiled = statement.compile(dialect=dialect, column_keys=[*keys, *defaults])
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("driver_sql runs statements whose SQL is fixed: no literal_execute or expanding "
                             "parameters")
        processors = {}
        for name, bind in compiled.binds.items():
            if name not in keys and name not in defaults and not bind.required:
                defaults[name] = bind.effective_value  # a value written into the statement (.values(x=1))
            proc = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if proc is not None:
                processors[name] = proc
        order = tuple(compiled.positiontup)
        row, results = None, ()
        columns = list(statement.exported_columns) if isinstance(statement, (Select, UpdateBase)) else []
        if columns:  # a SELECT's, or an INSERT's or UPDATE's RETURNING
            row = namedtuple("Row", [c.key for c in columns], rename=True)._make
            results = tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns)
        found = _COMPILED[cache_key] = _Compiled(compiled.string, order, processors, defaults, row, results)
        _KEPT[id(statement)] = statement
    return found


_POSITIONAL: dict[type, object] = {}  # a dialect class -> a copy of its first engine's that writes $1, $2, ...


def _positional(dialect):
    """The dialect, or for psycopg a copy of it that writes PostgreSQL's own placeholders ($1, $2, ...) with
    the parameters in order: psycopg's raw cursor then sends the SQL as it is, where with named parameters it
    rewrites the SQL on every run (without its cache for a statement of more than 50 parameters, as a Pay's
    linked INSERT is)."""
    if dialect.positional:
        return dialect
    found = _POSITIONAL.get(type(dialect))
    if found is None:  # one per class, as _COMPILED is one per dialect name
        found = _POSITIONAL[type(dialect)] = copy.copy(dialect)
        found.paramstyle, found.positional = "numeric_dollar", True
    return found


def constant_defaults(statement: ClauseElement, keys: tuple[str, ...]) -> dict[str, Any]:
    """The constant defaults of an INSERT's columns that `keys` leave out (SQLAlchemy fills them in at
    execution, which this skips); any other kind of Python-side default is refused."""
    if not isinstance(statement, Insert):
        return {}
    out = {}
    for column in statement.table.columns:
        if column.key in keys or column.default is None:
            continue
        if not column.default.is_scalar:
            raise ValueError(f"{column}: only constant defaults are filled in by driver_sql")
        out[column.key] = column.default.arg
    return out


@dataclass(frozen=True)
class Read:
    """A SELECT of at most one row, with its parameters; `row` is its answer once read beside another
    statement (None: no such row)."""

    statement: Select
    params: dict
    row: tuple | None = None

    def answers(self, wanted: Read) -> bool:
        """Whether this is `wanted`'s answer: the same statement and parameters."""
        return self.statement is wanted.statement and self.params == wanted.params


_BESIDE: dict[tuple[int, int], tuple] = {}  # (statement, read) -> the combined statement, its splitter, both kept


def beside(statement: Select, read: Select) -> tuple[Select, Callable[[tuple], tuple | None]]:
    """`statement` with `read`'s row beside each of its rows (LEFT JOIN (read) ON true), and how to take that
    row back out of a combined row (a named tuple, or None where `read` found none: it must answer a column
    that is never NULL, such as a primary key). Built once per pair."""
    found = _BESIDE.get((id(statement), id(read)))
    if found is None:
        sub = read.subquery("beside")
        width, make = len(statement.exported_columns), namedtuple("Row", [c.key for c in sub.c], rename=True)._make

        def split(row: tuple) -> tuple | None:
            part = row[width:]
            return None if all(value is None for value in part) else make(part)

        combined = statement.add_columns(*sub.c).outerjoin(sub, true())
        found = _BESIDE[(id(statement), id(read))] = (combined, split, statement, read)
    return found[0], found[1]


def first(conn: Connection, statement: ClauseElement, params: dict) -> tuple | None:
    """The first row a SELECT (or a statement with RETURNING) answers (a named tuple: `row.column`), or None."""
    compiled, cursor = _run(conn, statement, [params], many=False)
    try:
        values = cursor.fetchone()
    finally:
        cursor.close()
    if values is None:
        return None
    return compiled.row(value if proc is None or value is None else proc(value)
                        for proc, value in zip(compiled.results, values, strict=True))


def at_end(conn: Connection, run: Callable[[Connection, bool], None]) -> None:
    """Have `run(conn, commit)` run when the unit of work on `conn` ends: before it commits (commit=True; an
    exception then rolls the unit back), or as it rolls back (False)."""
    conn.info.setdefault(_AT_END, []).append(run)


def end(conn: Connection, commit: bool) -> None:
    """The unit of work on `conn` ends (runtime/storage.py calls this): run what `at_end` registered."""
    for run in conn.info.pop(_AT_END, ()):
        run(conn, commit)


def first_alone(conn: Connection, statement: ClauseElement, params: dict) -> tuple | None:
    """`first`, sent as a transaction of its own (no BEGIN, no COMMIT: one round trip) when it is the first
    statement of the unit of work on PostgreSQL; otherwise inside the unit's transaction, as `first`."""
    driver = conn.connection.driver_connection
    if conn.dialect.name != "postgresql" or driver.autocommit or driver.info.transaction_status != _IDLE:
        return first(conn, statement, params)
    driver.autocommit = True  # psycopg would send BEGIN first; one statement is atomic without it
    try:
        return first(conn, statement, params)
    finally:
        driver.autocommit = False


def execute(conn: Connection, statement: ClauseElement, row: dict) -> int:
    """Run an INSERT or UPDATE with one row of parameters; answers the row count."""
    _, cursor = _run(conn, statement, [row], many=False)
    try:
        return cursor.rowcount
    finally:
        cursor.close()


def inserted_id(conn: Connection, statement: ClauseElement, row: dict) -> int:
    """INSERT one row; answers the new row's id: the first column the statement RETURNs (PostgreSQL), or
    SQLite's last row id."""
    _, cursor = _run(conn, statement, [row], many=False)
    try:
        return cursor.lastrowid if conn.dialect.name == "sqlite" else cursor.fetchone()[0]
    finally:
        cursor.close()


def execute_many(conn: Connection, statement: ClauseElement, rows: list[dict]) -> None:
    """Run an INSERT once per row (the rows have the same keys). On SQLite the rows go in INSERTs of many rows
    each (`_ROWS_PER_INSERT`): its driver lets go of the interpreter at every statement, and once per row the
    background thread writing the request log made the request thread wait for it at every turn (in process,
    a signed read took 398 us with that thread writing row by row, 365 us now)."""
    if conn.dialect.name == "sqlite" and len(rows) > 1 and isinstance(statement, Insert) \
            and not statement._returning:
        _insert_many_rows(conn, statement, rows)
        return
    _run(conn, statement, rows, many=True)[1].close()


def _insert_many_rows(conn: Connection, statement: Insert, rows: list[dict]) -> None:
    """SQLite: `INSERT ... VALUES (...), (...), ...`, as many rows per statement as its parameter limit lets."""
    compiled = _compiled(conn, statement, tuple(rows[0]))
    head, _, one = compiled.sql.rpartition(" VALUES ")
    driver = conn.connection.driver_connection
    per = max(1, min(_ROWS_PER_INSERT, driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(compiled.order)))
    for start in range(0, len(rows), per):
        chunk = [compiled.parameters(row) for row in rows[start:start + per]]
        _execute(conn, driver.cursor(), f"{head} VALUES {', '.join([one] * len(chunk))}",
                 [value for params in chunk for value in params]).close()


def _run(conn: Connection, statement: ClauseElement, rows: list[dict], many: bool) -> tuple[_Compiled, Any]:
    """The statement compiled, and the driver's cursor after running it; a driver error raised as SQLAlchemy
    raises it from Connection.execute (IntegrityError, OperationalError, ...)."""
    compiled = _compiled(conn, statement, tuple(rows[0]))
    params = [compiled.parameters(row) for row in rows]
    driver = conn.connection.driver_connection
    cursor = driver.cursor() if conn.dialect.positional else _raw_cursor(driver)
    if many:
        return compiled, _execute(conn, cursor, compiled.sql, params, many=True)
    return compiled, _execute(conn, cursor, compiled.sql, params[0])


def _execute(conn: Connection, cursor, sql: str, params, many: bool = False):
    """Run `sql` on the driver's cursor; answers the cursor, or closes it and raises a driver error as
    SQLAlchemy's."""
    try:
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)
    except conn.dialect.loaded_dbapi.Error as err:
        cursor.close()
        raise DBAPIError.instance(sql, params, err, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect) from err
    return cursor


def _raw_cursor(driver):
    """psycopg's cursor that takes $1, $2, ... as they are (see `_positional`)."""
    from psycopg import RawCursor

    return RawCursor(driver)
