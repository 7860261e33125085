"""Accounts: callers (businesses with access keys) and buyers, each with everything that is theirs."""

from __future__ import annotations

from flask import abort, render_template
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..domain import rollups
from ..domain.ledger import balance_book
from ..models import Account, FpsTransaction, Instrument, PaymentMethod, Token
from ..runtime.services import services
from .blueprint import bp
from .paging import arg, newest_first
from .transactions import listing


ROLES = ("callers", "buyers")


@bp.route("/accounts")
def accounts():
    """Every account with its balance, newest first: callers or buyers; search by name, e-mail or
    access key."""
    q, role = arg("q"), arg("role", ROLES)
    with services().storage.read() as conn:
        query = select(Account)
        if role:
            query = query.where(Account.access_key.is_not(None) if role == "callers" else Account.access_key.is_(None))
        if q:
            pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(or_(Account.name.ilike(pattern, escape="\\"), Account.email.ilike(pattern, escape="\\"),
                                    Account.access_key == q))
        s = Session(bind=conn)
        page = newest_first(s, query, Account.id)
        s.close()
    return render_template("admin/accounts.html", page=page, q=q, role=role, roles=ROLES)


@bp.route("/accounts/<row:pk>")
def account(pk: int):
    """One account: balance and ledger book; as a caller its figures, instruments issued and IPN
    settings; as a buyer its payment methods and instruments; newest transactions either way."""
    with services().storage.read() as conn:
        s = Session(bind=conn)
        acc = s.get(Account, pk)
        if acc is None:
            abort(404)
        methods = s.scalars(select(PaymentMethod).where(PaymentMethod.account_id == pk)
                            .order_by(PaymentMethod.id)).all()
        side = Instrument.caller_id if acc.access_key else Instrument.sender_id
        instruments = s.scalars(select(Instrument).where(side == pk).order_by(Instrument.id.desc()).limit(20)).all()
        token_count = conn.execute(select(func.count()).select_from(Token).where(
            (Token.caller_id if acc.access_key else Token.sender_id) == pk)).scalar()
        txns = s.execute(listing(s, **({"caller_id": pk} if acc.access_key else {"sender_id": pk}))
                         .order_by(FpsTransaction.id.desc()).limit(10)).all()
        figures = rollups.summary(rollups.caller_figures(conn).get(pk, {})) if acc.access_key else None
        liability, debt = conn.execute(
            select(func.coalesce(func.sum(Instrument.balance_cents), 0), func.coalesce(func.sum(Instrument.debt_cents), 0))
            .where(Instrument.recipient_id == pk)).one()
        names = dict(s.execute(select(Account.id, Account.name)).all())
        s.close()
    return render_template("admin/account.html", acc=acc, methods=methods, instruments=instruments,
                           token_count=token_count, txns=txns, figures=figures, liability=int(liability),
                           debt=int(debt), names=names, book=balance_book(pk))
