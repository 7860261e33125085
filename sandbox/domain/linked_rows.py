"""A row and the rows that point at it, written together: a transaction with its first status, its
notification and its ledger lines.

PostgreSQL: one statement, so one round trip (data-modifying CTEs: the parent's INSERT ... RETURNING id,
then each child's INSERT ... SELECT from it). Other engines (SQLite, in-process, where a round trip
costs little): the parent's INSERT, then one executemany per child table. Either way straight through the
driver (driver_sql.py).

A guarded write (PostgreSQL): the rows are written only if a `Guard` statement (an UPDATE whose WHERE
re-checks what was read ahead, without a lock) changes its row, in the same statement. Such a write waits on
the connection until the unit of work ends (`flush`, which the unit runs before it commits), so that rows
written `alongside` it (the request log's entry, whose answer is rendered after the handler) travel in the
same statement; a unit that sends nothing else sends that one statement on its own, without BEGIN or COMMIT.
The guard not matching raises `driver_sql.Changed`: nothing was written, and the caller does it the locked way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, Table, bindparam, cast, insert, select
from sqlalchemy.sql.dml import Update

from . import driver_sql

PENDING = "fps_pending_write"  # Connection.info: the guarded write waiting for the end of the unit


@dataclass
class Children:
    """Rows of `table` whose `key` column holds the parent's id (the rows leave it out); with no `key`, rows
    written only if the parent is."""

    table: Table
    key: str | None
    rows: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Guard:
    """An UPDATE ... RETURNING that must change one row for the linked rows to be written, with its
    parameters (named apart from the rows' own: they share one statement)."""

    statement: Update
    params: dict


@dataclass
class _Pending:
    parent: Table
    row: dict
    children: list[Children]
    guard: Guard


_STATEMENTS: dict[tuple, object] = {}  # one compiled shape per kind of write; a handful in all
_DEFAULTS: dict[tuple, dict] = {}  # (table, the row's keys) -> the constant defaults it leaves out


def insert_linked(conn: Connection, parent: Table, row: dict, children: list[Children],
                  guard: Guard | None = None) -> int | None:
    """Insert `row` into `parent` and every child row pointing at it; answers the parent's id. With a `guard`
    (PostgreSQL only): written at the end of the unit of work, if the guard matches (None: no id yet)."""
    children = [c for c in children if c.rows]
    if conn.dialect.name == "postgresql":  # an INSERT ... SELECT leaves a column out as NULL, not its default
        row = _with_defaults(parent, row)
        children = [Children(c.table, c.key, [_with_defaults(c.table, r) for r in c.rows]) for c in children]
    if guard is not None:
        if conn.dialect.name != "postgresql" or PENDING in conn.info:
            raise ValueError("a guarded write is PostgreSQL's, and one per unit of work")
        conn.info[PENDING] = _Pending(parent, row, children, guard)
        driver_sql.at_end(conn, flush)
        return None
    if conn.dialect.name != "postgresql":
        pk = driver_sql.inserted_id(conn, _insert(parent), row)
        for c in children:
            driver_sql.execute_many(conn, _insert(c.table), [{**r, c.key: pk} for r in c.rows])
        return pk
    return driver_sql.inserted_id(conn, *_linked(parent, row, children, None))


def _with_defaults(table: Table, row: dict) -> dict:
    """`row` with the constant defaults of the columns it leaves out (worked out once per table and keys)."""
    shape = (table.name, tuple(row))
    defaults = _DEFAULTS.get(shape)
    if defaults is None:
        defaults = _DEFAULTS[shape] = driver_sql.constant_defaults(_insert(table), tuple(row))
    return {**defaults, **row} if defaults else row


def alongside(conn: Connection, table: Table, row: dict) -> bool:
    """Add `row` to the guarded write waiting on `conn` (written with it, in its statement, or not at all);
    False when none is waiting."""
    pending = conn.info.get(PENDING)
    if pending is None:
        return False
    pending.children.append(Children(table, None, [_with_defaults(table, row)]))
    return True


def flush(conn: Connection, commit: bool = True) -> None:
    """Send the guarded write waiting on `conn`, if any (when the unit of work ends: before it commits, or
    dropped as it rolls back); driver_sql.Changed when its guard matched no row."""
    pending = conn.info.pop(PENDING, None)
    if pending is None or not commit:
        return
    statement, params = _linked(pending.parent, pending.row, pending.children, pending.guard)
    if driver_sql.first_alone(conn, statement, params) is None:
        raise driver_sql.Changed("the guarded write's row changed after it was read")


def _linked(parent: Table, row: dict, children: list[Children], guard: Guard | None) -> tuple[object, dict]:
    """The one statement for this shape of write (built once), and its parameters."""
    shape = (parent.name, tuple(row), tuple((c.table.name, c.key, tuple(c.rows[0]), len(c.rows)) for c in children),
             id(guard.statement) if guard else None)
    statement = _STATEMENTS.get(shape)
    if statement is None:
        statement = _STATEMENTS[shape] = _one_statement(parent, tuple(row), children, guard)
    params = {f"p_{k}": v for k, v in row.items()}
    for ci, c in enumerate(children):
        for ri, r in enumerate(c.rows):
            params.update({f"c{ci}_{ri}_{k}": v for k, v in r.items()})
    if guard is not None:
        params.update(guard.params)
    return statement, params


def _insert(table: Table):
    """INSERT INTO table, built once (building a statement costs more than running it on SQLite)."""
    statement = _STATEMENTS.get(table.name)
    if statement is None:
        statement = _STATEMENTS[table.name] = insert(table)
    return statement


def _one_statement(parent: Table, keys: tuple[str, ...], children: list[Children], guard: Guard | None):
    """[WITH g AS (UPDATE ... RETURNING ...),] p AS (INSERT ... RETURNING id), c0_0 AS (INSERT ... SELECT p.id,
    ...), ... SELECT p.id (with a guard, the parent's INSERT selects from g: no row changed, nothing written)."""
    if guard is None:
        p = insert(parent).values({k: bindparam(f"p_{k}", type_=parent.c[k].type) for k in keys})
    else:
        g = guard.statement.cte("g")
        p = insert(parent).from_select(
            list(keys), select(*[cast(bindparam(f"p_{k}"), parent.c[k].type) for k in keys]).select_from(g))
    p = p.returning(parent.c.id).cte("p")
    ctes = []
    for ci, c in enumerate(children):
        names = tuple(c.rows[0])
        for ri in range(len(c.rows)):
            values = [cast(bindparam(f"c{ci}_{ri}_{k}"), c.table.c[k].type) for k in names]
            columns, selected = ([c.key, *names], [p.c.id, *values]) if c.key else (list(names), values)
            ctes.append(insert(c.table).from_select(columns, select(*selected).select_from(p)).cte(f"c{ci}_{ri}"))
    return select(p.c.id).add_cte(*ctes)
