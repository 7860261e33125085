"""The ledger: every book's balance, the lines of any book or journal, and the books checks."""

from __future__ import annotations

import time

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import rollups
from ..domain.books import check_books, quick_check
from ..models import Account, FpsTransaction, LedgerEntry
from ..runtime.services import services
from .blueprint import bp
from .paging import arg, newest_first


@bp.route("/ledger")
def ledger():
    """Every book's balance (running totals) and the ledger lines, newest first; filter by book or
    by journal (a transaction id)."""
    book, journal = arg("book"), arg("journal")
    with services().storage.read() as conn:
        s = Session(bind=conn)
        totals = rollups.book_totals(conn)
        query = select(LedgerEntry, FpsTransaction.transaction_id).outerjoin(
            FpsTransaction, FpsTransaction.id == LedgerEntry.transaction_pk)
        if book:
            query = query.where(LedgerEntry.book == book)
        if journal:
            query = query.where(LedgerEntry.journal == journal)
        page = newest_first(s, query, LedgerEntry.id)
        names = dict(s.execute(select(Account.id, Account.name)).all())
        report = quick_check(conn)
        s.close()
    return render_template("admin/ledger.html", books=sorted(totals.items()), page=page, names=names, report=report,
                           book=book, journal=journal)


@bp.route("/ledger/check")
def ledger_check():
    """The full books check: every journal, every balance, every fee and the running totals, from
    every line (it reads the whole ledger: seconds at a million transactions)."""
    started = time.perf_counter()
    with services().storage.read() as conn:
        report = check_books(conn)
    return render_template("admin/ledger_check.html", report=report,
                           took_ms=round((time.perf_counter() - started) * 1000))
