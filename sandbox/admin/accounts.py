"""Accounts: callers (businesses with access keys) and buyers, each with everything that is theirs."""

from __future__ import annotations

from flask import abort, render_template

from ..queries import accounts as query
from ..runtime.services import services
from .blueprint import bp
from .paging import arg, before


@bp.route("/accounts")
def accounts():
    """Every account with its balance, newest first: callers or buyers; search by name, e-mail or
    access key."""
    q, role = arg("q"), arg("role", query.ROLES)
    with services().storage.read() as conn:
        page = query.accounts(conn, role=role, q=q, before=before())
    return render_template("admin/accounts.html", page=page, q=q, role=role, roles=query.ROLES)


@bp.route("/accounts/<row:pk>")
def account(pk: int):
    """One account: balance and ledger book; as a caller its figures, instruments issued and IPN
    settings; as a buyer its payment methods and instruments; newest transactions either way."""
    with services().storage.read() as conn:
        detail = query.account(conn, pk)
    if detail is None:
        abort(404)
    return render_template("admin/account.html", **vars(detail))
