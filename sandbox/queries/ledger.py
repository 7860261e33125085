"""The console's ledger: every book's running total and the lines of any book or journal."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from ..domain import rollups
from ..domain.books import BooksReport, quick_check
from ..models import FpsTransaction, LedgerEntry
from .paging import Page, newest_first, orm
from .transactions import names


@dataclass
class Ledger:
    books: list[tuple[str, tuple[int, int]]]  # (book, (total, lines)), by book name
    page: Page
    names: dict[int, str]
    report: BooksReport


def ledger(conn: Connection, *, book: str | None, journal: str | None, before: int | None) -> Ledger:
    query = select(LedgerEntry, FpsTransaction.transaction_id).outerjoin(
        FpsTransaction, FpsTransaction.id == LedgerEntry.transaction_pk)
    if book:
        query = query.where(LedgerEntry.book == book)
    if journal:
        query = query.where(LedgerEntry.journal == journal)
    with orm(conn) as s:
        return Ledger(sorted(rollups.book_totals(conn).items()), newest_first(s, query, LedgerEntry.id, before),
                      names(s), quick_check(conn))
