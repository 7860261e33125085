"""Transactions: the list (filters, search, pages) and one transaction with all its neighbours."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for

from ..domain.money import display
from ..queries import traffic
from ..queries import transactions as query
from ..queries.requests import refused
from ..runtime.services import services
from .blueprint import bp
from . import diagrams, sequence
from .actions import refundable
from .blueprint import book_label
from .forms import CancelForm, RefundForm
from .paging import arg, before, int_arg


@bp.route("/transactions")
def transactions():
    """Every transaction, newest first, with gross, fee and net: filter by operation, status, caller,
    buyer, instrument or token; search by TransactionId (opens it) or CallerReference."""
    f = {"operation": arg("operation", query.OPERATIONS), "status": arg("status", query.STATUSES),
         "caller_id": int_arg("caller"), "sender_id": int_arg("sender")}
    q, instrument_id, token_id = arg("q"), arg("instrument"), arg("token")
    with services().storage.read() as conn:
        found = query.found(conn, q) if q else None
        if found:
            return redirect(url_for("admin.transaction", transaction_id=found))
        page = query.page(conn, f, caller_reference=q, instrument_id=instrument_id, token_id=token_id, before=before())
        accounts = query.accounts(conn)
    return render_template("admin/transactions.html", page=page, f=f, q=q, instrument_id=instrument_id,
                           token_id=token_id, accounts=accounts, operations=query.OPERATIONS,
                           statuses=query.STATUSES)


@bp.route("/transactions/<transaction_id>")
def transaction(transaction_id: str):
    """One transaction: its parties, instrument and token, refunds, ledger lines, status history, the
    API requests about it and its notifications."""
    with services().storage.read() as conn:
        detail = query.detail(conn, transaction_id)
        if detail is None:
            abort(404)
        calls = refused(conn, [transaction_id])
        talk = traffic.for_transaction(conn, transaction_id)
    return render_template("admin/transaction.html", **vars(detail), refused=calls, left=refundable(detail),
                           flow=money_flow(detail), talk=diagrams.draw("Who talked to whom", talk, "talk"),
                           refund_form=RefundForm(), cancel_form=CancelForm())


def money_flow(detail) -> str:
    """The transaction's ledger lines as a picture: one column per book, one arrow per transfer."""
    lines = detail.lines
    books = list(dict.fromkeys(line.book for line in lines))
    arrows = [sequence.Arrow(books.index(out.book), books.index(into.book), display(into.amount_cents), note=out.memo,
                             href=url_for("admin.ledger", book=into.book))
              for out, into in zip(lines[::2], lines[1::2], strict=False)  # ledger.post writes (out, into) pairs
              if out.amount_cents < 0 and into.amount_cents == -out.amount_cents]
    return sequence.render(f"Where the money of {detail.txn.operation} {detail.txn.transaction_id} went",
                           [book_label(book, detail.names) for book in books], arrows, key="flow")
