"""The declarative base every table derives from, and partial indexes."""

from __future__ import annotations

from sqlalchemy import Index, text
from sqlalchemy.orm import DeclarativeBase

# A change to a table ships as a migration in migrations/versions/ (see CONTRIBUTING.md).


class Base(DeclarativeBase):
    pass


def partial_index(name: str, *columns: str, where: str) -> Index:
    """An index of only the rows matching `where` (SQLite and PostgreSQL): cheap to keep up when
    those rows are rare, as the console's filters for failures, errors and unusual operations are."""
    return Index(name, *columns, sqlite_where=text(where), postgresql_where=text(where))
