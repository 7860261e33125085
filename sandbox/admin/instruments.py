"""Instruments and tokens: lists with filters, search and pages; one of each with its neighbours."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Account, FpsTransaction, Instrument, Notification, Token
from ..runtime.services import services
from .blueprint import bp
from .paging import arg, int_arg, newest_first
from .transactions import listing

KINDS = ("Prepaid", "Credit")
ROLES = ("Funding", "PrepaidSender", "CreditSender", "Settlement")
TOKEN_STATUSES = ("Active", "Inactive")


def _names(s: Session) -> dict[int, str]:
    return dict(s.execute(select(Account.id, Account.name)).all())


def credit_totals(conn, instrument_pks: list[int]) -> dict[tuple[int, str], int]:
    """(instrument, operation) -> total of its successful SettleDebt and WriteOffDebt transactions (a few
    per instrument: found through the partial index of operations other than Pay)."""
    rows = conn.execute(
        select(FpsTransaction.instrument_pk, FpsTransaction.operation, func.sum(FpsTransaction.amount_cents))
        .where(FpsTransaction.instrument_pk.in_(instrument_pks), FpsTransaction.status == "Success",
               FpsTransaction.operation.in_(("SettleDebt", "WriteOffDebt")), FpsTransaction.operation != "Pay")
        .group_by(FpsTransaction.instrument_pk, FpsTransaction.operation)).all()
    return {(pk, op): int(total) for pk, op, total in rows}


@bp.route("/instruments")
def instruments():
    """Prepaid instruments (limit, funding, balance) and credit instruments (limit, debt, settled,
    written off), newest first; filter by kind, caller or buyer; search by instrument id."""
    kind, caller, buyer, q = arg("kind", KINDS), int_arg("caller"), int_arg("buyer"), arg("q")
    with services().storage.read() as conn:
        s = Session(bind=conn)
        if q and s.scalar(select(Instrument.id).where(Instrument.instrument_id == q)):
            return redirect(url_for("admin.instrument", instrument_id=q))
        query = select(Instrument)
        for column, value in (("kind", kind), ("caller_id", caller), ("sender_id", buyer)):
            if value is not None:
                query = query.where(getattr(Instrument, column) == value)
        if q:
            query = query.where(Instrument.instrument_id == q)
        page = newest_first(s, query, Instrument.id)
        shown = [row[0] for row in page.rows]
        totals = credit_totals(conn, [i.id for i in shown if i.kind == "Credit"])
        tokens: dict[int, list[Token]] = {}
        for t in s.scalars(select(Token).where(Token.instrument_pk.in_([i.id for i in shown])).order_by(Token.id)):
            tokens.setdefault(t.instrument_pk, []).append(t)
        names = _names(s)
        accounts = s.execute(select(Account.id, Account.name, Account.access_key).order_by(Account.id)).all()
        s.close()
    return render_template("admin/instruments.html", page=page, rows=shown, names=names, tokens=tokens,
                           totals=totals, kind=kind, caller=caller, buyer=buyer, q=q, accounts=accounts, kinds=KINDS)


@bp.route("/instruments/<instrument_id>")
def instrument(instrument_id: str):
    """One instrument: its tokens, its newest transactions and its ledger book."""
    with services().storage.read() as conn:
        s = Session(bind=conn)
        inst = s.scalars(select(Instrument).where(Instrument.instrument_id == instrument_id)).first()
        if inst is None:
            abort(404)
        tokens = s.scalars(select(Token).where(Token.instrument_pk == inst.id).order_by(Token.id)).all()
        txns = s.execute(listing(s, instrument_pk=inst.id).order_by(FpsTransaction.id.desc()).limit(20)).all()
        totals = credit_totals(conn, [inst.id])
        book = f"{'prepaid' if inst.kind == 'Prepaid' else 'receivable'}:{inst.id}"
        names = _names(s)
        s.close()
    return render_template("admin/instrument.html", inst=inst, names=names, tokens=tokens, txns=txns,
                           totals=totals, book=book)


@bp.route("/tokens")
def tokens():
    """Every token, newest first: filter by role, status, caller or buyer; search by token id (opens
    it) or CallerReference."""
    role, status, caller, buyer, q = arg("role", ROLES), arg("status", TOKEN_STATUSES), int_arg("caller"), \
        int_arg("buyer"), arg("q")
    with services().storage.read() as conn:
        s = Session(bind=conn)
        if q and s.scalar(select(Token.id).where(Token.token_id == q)):
            return redirect(url_for("admin.token", token_id=q))
        query = select(Token, Instrument.instrument_id).join(Instrument, Instrument.id == Token.instrument_pk)
        for column, value in (("role", role), ("status", status), ("caller_id", caller), ("sender_id", buyer)):
            if value is not None:
                query = query.where(getattr(Token, column) == value)
        if q:
            query = query.where(Token.caller_reference == q)
        page = newest_first(s, query, Token.id)
        names = _names(s)
        accounts = s.execute(select(Account.id, Account.name, Account.access_key).order_by(Account.id)).all()
        s.close()
    return render_template("admin/tokens.html", page=page, names=names, role=role, status=status, caller=caller,
                           buyer=buyer, q=q, accounts=accounts, roles=ROLES, statuses=TOKEN_STATUSES)


@bp.route("/tokens/<token_id>")
def token(token_id: str):
    """One token: what it authorizes (usage limits, validity), its instrument, the transactions paid
    with it and its cancellation notifications."""
    with services().storage.read() as conn:
        s = Session(bind=conn)
        tok = s.scalars(select(Token).where(Token.token_id == token_id)).first()
        if tok is None:
            abort(404)
        inst = s.get(Instrument, tok.instrument_pk)
        limits = list(tok.usage_limits)
        siblings = s.scalars(select(Token).where(Token.instrument_pk == tok.instrument_pk, Token.id != tok.id)
                             .order_by(Token.id)).all()
        txns = s.execute(listing(s, sender_token_pk=tok.id).order_by(FpsTransaction.id.desc()).limit(20)).all()
        notes = conn.execute(select(Notification.id, Notification.created_at, Notification.notification_type,
                                    Notification.state).where(Notification.token_pk == tok.id)
                             .order_by(Notification.id)).all()
        names = _names(s)
        s.close()
    return render_template("admin/token.html", tok=tok, inst=inst, limits=limits, siblings=siblings, txns=txns,
                           notes=notes, names=names)

