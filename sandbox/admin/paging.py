"""Reading the console's filters and page position from the query string (the pages themselves are
queries/paging.py)."""

from __future__ import annotations

from flask import request

from ..urls import MAX_ROW_ID


def arg(name: str, choices=None) -> str | None:
    """A filter's value from the query string: stripped, None when empty or not one of `choices`."""
    value = (request.args.get(name) or "").strip()
    if not value or (choices is not None and value not in choices):
        return None
    return value[:200]


def int_arg(name: str) -> int | None:
    """A key from the query string: None unless a whole number the database can hold (1 to 2**63-1)."""
    value = request.args.get(name, type=int)
    return value if value is not None and 0 < value <= MAX_ROW_ID else None


def before() -> int | None:
    """Where the page starts (?before=, the id to continue below); None for the newest page."""
    return int_arg("before")
