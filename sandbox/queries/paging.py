"""Newest-first pages of any table, by keyset (`before` = the id to continue below): as fast on
page 20,000 as on page 1, because each page is one index range."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection
from sqlalchemy.orm import Session

PAGE = 50


@dataclass
class Page:
    rows: list
    older: int | None  # pass as ?before= for the next page; None on the last one
    first: bool  # the newest page (no ?before=)


def newest_first(conn, query, id_column, before: int | None, size: int = PAGE) -> Page:
    """Run `query` ordered by `id_column` descending from `before`, one page long."""
    if before:
        query = query.where(id_column < before)
    rows = conn.execute(query.order_by(id_column.desc()).limit(size + 1)).all()
    older = _id(rows[size - 1]) if len(rows) > size else None
    return Page(rows[:size], older, not before)


def _id(row) -> int:
    """The key of a row whose first item is the id or the entity (the convention of every listing)."""
    first = row[0]
    return first if isinstance(first, int) else first.id


@contextmanager
def orm(conn: Connection) -> Iterator[Session]:
    """An ORM session on the unit of work's connection; its objects stay readable after it closes."""
    session = Session(bind=conn)
    try:
        yield session
    finally:
        session.close()
