"""Newest-first pages of any table, by keyset (`before` = the id to continue below): as fast on
page 20,000 as on page 1, because each page is one index range."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

PAGE = 50


@dataclass
class Page:
    rows: list
    older: int | None  # pass as ?before= for the next page; None on the last one
    first: bool  # the newest page (no ?before=)


def newest_first(conn, query, id_column, size: int = PAGE) -> Page:
    """Run `query` ordered by `id_column` descending from the request's ?before=, one page long."""
    before = int_arg("before")
    if before:
        query = query.where(id_column < before)
    rows = conn.execute(query.order_by(id_column.desc()).limit(size + 1)).all()
    older = _id(rows[size - 1]) if len(rows) > size else None
    return Page(rows[:size], older, not before)


def _id(row) -> int:
    """The key of a row whose first item is the id or the entity (the convention of every listing)."""
    first = row[0]
    return first if isinstance(first, int) else first.id


def arg(name: str, choices=None) -> str | None:
    """A filter's value from the query string: stripped, None when empty or not one of `choices`."""
    value = (request.args.get(name) or "").strip()
    if not value or (choices is not None and value not in choices):
        return None
    return value[:200]


def int_arg(name: str) -> int | None:
    """A key from the query string: None unless a whole number the database can hold (1 to 2**63-1)."""
    from ..urls import MAX_ROW_ID

    value = request.args.get(name, type=int)
    return value if value is not None and 0 < value <= MAX_ROW_ID else None
