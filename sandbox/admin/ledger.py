"""The ledger: every book's balance, the lines of any book or journal, and the books checks."""

from __future__ import annotations

import time

from flask import render_template

from ..domain.books import check_books
from ..queries.ledger import ledger as query
from ..runtime.services import services
from .blueprint import bp
from .paging import arg, before


@bp.route("/ledger")
def ledger():
    """Every book's balance (running totals) and the ledger lines, newest first; filter by book or
    by journal (a transaction id)."""
    book, journal = arg("book"), arg("journal")
    with services().storage.read() as conn:
        shown = query(conn, book=book, journal=journal, before=before())
    return render_template("admin/ledger.html", books=shown.books, page=shown.page, names=shown.names,
                           report=shown.report, book=book, journal=journal)


@bp.route("/ledger/check")
def ledger_check():
    """The full books check: every journal, every balance, every fee and the running totals, from
    every line (it reads the whole ledger: seconds at a million transactions)."""
    started = time.perf_counter()
    with services().storage.read() as conn:
        report = check_books(conn)
    return render_template("admin/ledger_check.html", report=report,
                           took_ms=round((time.perf_counter() - started) * 1000))
