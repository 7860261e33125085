"""A row and the rows that point at it, written together: a transaction with its first status, its
notification and its ledger lines.

PostgreSQL: one statement, so one round trip (data-modifying CTEs: the parent's INSERT ... RETURNING id,
then each child's INSERT ... SELECT from it). Other engines (SQLite, in-process, where a round trip
costs little): the parent's INSERT, then one executemany per child table. Either way straight through the
driver (driver_sql.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, Table, bindparam, cast, insert, select

from . import driver_sql


@dataclass
class Children:
    """Rows of `table` whose `key` column holds the parent's id (the rows leave it out)."""

    table: Table
    key: str
    rows: list[dict] = field(default_factory=list)


_STATEMENTS: dict[tuple, object] = {}  # one compiled shape per kind of write; a handful in all


def insert_linked(conn: Connection, parent: Table, row: dict, children: list[Children]) -> int:
    """Insert `row` into `parent` and every child row pointing at it; answers the parent's id."""
    children = [c for c in children if c.rows]
    if conn.dialect.name != "postgresql":
        pk = driver_sql.inserted_id(conn, _insert(parent), row)
        for c in children:
            driver_sql.execute_many(conn, _insert(c.table), [{**r, c.key: pk} for r in c.rows])
        return pk
    shape = (parent.name, tuple(row), tuple((c.table.name, c.key, tuple(c.rows[0]), len(c.rows)) for c in children))
    statement = _STATEMENTS.get(shape)
    if statement is None:
        statement = _STATEMENTS[shape] = _one_statement(parent, tuple(row), children)
    params = {f"p_{k}": v for k, v in row.items()}
    for ci, c in enumerate(children):
        for ri, r in enumerate(c.rows):
            params.update({f"c{ci}_{ri}_{k}": v for k, v in r.items()})
    return driver_sql.inserted_id(conn, statement, params)


def _insert(table: Table):
    """INSERT INTO table, built once (building a statement costs more than running it on SQLite)."""
    statement = _STATEMENTS.get(table.name)
    if statement is None:
        statement = _STATEMENTS[table.name] = insert(table)
    return statement


def _one_statement(parent: Table, keys: tuple[str, ...], children: list[Children]):
    """WITH p AS (INSERT ... RETURNING id), c0_0 AS (INSERT ... SELECT p.id, ...), ... SELECT p.id."""
    p = insert(parent).values({k: bindparam(f"p_{k}", type_=parent.c[k].type) for k in keys}) \
        .returning(parent.c.id).cte("p")
    ctes = []
    for ci, c in enumerate(children):
        names = tuple(c.rows[0])
        for ri in range(len(c.rows)):
            values = [cast(bindparam(f"c{ci}_{ri}_{k}"), c.table.c[k].type) for k in names]
            ctes.append(insert(c.table).from_select([c.key, *names], select(p.c.id, *values)).cte(f"c{ci}_{ri}"))
    return select(p.c.id).add_cte(*ctes)
