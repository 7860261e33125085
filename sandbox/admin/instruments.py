"""Instruments and tokens: lists with filters, search and pages; one of each with its neighbours."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for

from ..queries import instruments as query
from ..queries import traffic
from ..queries.requests import refused
from ..queries.transactions import accounts as all_accounts
from ..runtime.services import services
from . import diagrams
from .blueprint import bp
from .forms import CancelForm
from .paging import arg, before, int_arg


@bp.route("/instruments")
def instruments():
    """Prepaid instruments (limit, funding, balance) and credit instruments (limit, debt, settled,
    written off), newest first; filter by kind, caller or buyer; search by instrument id."""
    kind, caller, buyer, q = arg("kind", query.KINDS), int_arg("caller"), int_arg("buyer"), arg("q")
    with services().storage.read() as conn:
        if q and query.instrument_exists(conn, q):
            return redirect(url_for("admin.instrument", instrument_id=q))
        shown = query.instruments(conn, kind=kind, caller=caller, buyer=buyer, q=q, before=before())
        accounts = all_accounts(conn)
    return render_template("admin/instruments.html", page=shown.page, rows=shown.rows, names=shown.names,
                           tokens=shown.tokens, totals=shown.totals, kind=kind, caller=caller, buyer=buyer, q=q,
                           accounts=accounts, kinds=query.KINDS)


@bp.route("/instruments/<instrument_id>")
def instrument(instrument_id: str):
    """One instrument: its tokens, its newest transactions and its ledger book."""
    with services().storage.read() as conn:
        detail = query.instrument(conn, instrument_id)
        if detail is None:
            abort(404)
        calls = refused(conn, [instrument_id, *(t.token_id for t in detail.tokens)])
    return render_template("admin/instrument.html", **vars(detail), refused=calls)


@bp.route("/tokens")
def tokens():
    """Every token, newest first: filter by role, status, caller or buyer; search by token id (opens
    it) or CallerReference."""
    role, status, caller, buyer, q = arg("role", query.ROLES), arg("status", query.TOKEN_STATUSES), \
        int_arg("caller"), int_arg("buyer"), arg("q")
    with services().storage.read() as conn:
        if q and query.token_exists(conn, q):
            return redirect(url_for("admin.token", token_id=q))
        page, names = query.tokens(conn, role=role, status=status, caller=caller, buyer=buyer, caller_reference=q,
                                   before=before())
        accounts = all_accounts(conn)
    return render_template("admin/tokens.html", page=page, names=names, role=role, status=status, caller=caller,
                           buyer=buyer, q=q, accounts=accounts, roles=query.ROLES, statuses=query.TOKEN_STATUSES)


@bp.route("/tokens/<token_id>")
def token(token_id: str):
    """One token: what it authorizes (usage limits, validity), its instrument, the transactions paid
    with it and its cancellation notifications."""
    with services().storage.read() as conn:
        detail = query.token(conn, token_id)
        if detail is None:
            abort(404)
        calls = refused(conn, [token_id])
        talk = traffic.for_token(conn, token_id)
    return render_template("admin/token.html", **vars(detail), refused=calls, form=CancelForm(),
                           talk=diagrams.draw("Who talked to whom", talk, "talk"))
