"""Transactions: the list (filters, search, pages) and one transaction with all its neighbours."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ..models import Account, ApiCall, FpsTransaction, Instrument, LedgerEntry, Notification, StatusHistory, Token
from ..runtime.services import services
from .blueprint import bp
from .paging import arg, int_arg, newest_first

OPERATIONS = ("FundPrepaid", "Pay", "Refund", "SettleDebt", "WriteOffDebt")
STATUSES = ("Pending", "Success", "Failure", "Cancelled", "Reserved")


def listing(s: Session, **filters):
    """Transactions with their sender's and recipient's names, newest first; filters by column."""
    sender, recipient = aliased(Account), aliased(Account)
    q = (select(FpsTransaction, sender.name, recipient.name)
         .join(sender, sender.id == FpsTransaction.sender_id)
         .join(recipient, recipient.id == FpsTransaction.recipient_id))
    for column, value in filters.items():
        if value is not None:
            q = q.where(getattr(FpsTransaction, column) == value)
    # Rare values are found through partial indexes (models.FpsTransaction): say so to the planner.
    if filters.get("status") not in (None, "Success"):
        q = q.where(FpsTransaction.status != "Success")
    if filters.get("operation") not in (None, "Pay"):
        q = q.where(FpsTransaction.operation != "Pay")
    return q


@bp.route("/transactions")
def transactions():
    """Every transaction, newest first, with gross, fee and net: filter by operation, status, caller,
    buyer, instrument or token; search by TransactionId (opens it) or CallerReference."""
    f = {"operation": arg("operation", OPERATIONS), "status": arg("status", STATUSES), "caller_id": int_arg("caller"),
         "sender_id": int_arg("sender"), "instrument_pk": None, "sender_token_pk": None, "caller_reference": None}
    q, instrument_id, token_id = arg("q"), arg("instrument"), arg("token")
    with services().storage.read() as conn:
        s = Session(bind=conn)
        if q:
            found = s.scalar(select(FpsTransaction.transaction_id).where(FpsTransaction.transaction_id == q))
            if found:
                return redirect(url_for("admin.transaction", transaction_id=found))
            f["caller_reference"] = q
        if instrument_id:
            f["instrument_pk"] = s.scalar(select(Instrument.id).where(Instrument.instrument_id == instrument_id)) or 0
        if token_id:
            f["sender_token_pk"] = s.scalar(select(Token.id).where(Token.token_id == token_id)) or 0
        query = listing(s, **f)
        if q:  # CallerReference is unique per caller: look in each caller's index
            query = query.where(FpsTransaction.caller_id.in_(select(Account.id).where(Account.access_key.is_not(None))))
        page = newest_first(s, query, FpsTransaction.id)
        accounts = s.execute(select(Account.id, Account.name, Account.access_key).order_by(Account.id)).all()
        s.close()
    return render_template("admin/transactions.html", page=page, f=f, q=q, instrument_id=instrument_id,
                           token_id=token_id, accounts=accounts, operations=OPERATIONS, statuses=STATUSES)


@bp.route("/transactions/<transaction_id>")
def transaction(transaction_id: str):
    """One transaction: its parties, instrument and token, refunds, ledger lines, status history, the
    API requests about it and its notifications."""
    with services().storage.read() as conn:
        s = Session(bind=conn)
        txn = s.scalars(select(FpsTransaction).where(FpsTransaction.transaction_id == transaction_id)).first()
        if txn is None:
            abort(404)
        people = {a.id: a for a in s.scalars(select(Account).where(
            Account.id.in_([txn.caller_id, txn.sender_id, txn.recipient_id])))}
        history = s.scalars(select(StatusHistory).where(StatusHistory.transaction_pk == txn.id)
                            .order_by(StatusHistory.id)).all()
        lines = s.scalars(select(LedgerEntry).where(LedgerEntry.transaction_pk == txn.id)
                          .order_by(LedgerEntry.id)).all()
        instrument = s.get(Instrument, txn.instrument_pk) if txn.instrument_pk else None
        token = s.get(Token, txn.sender_token_pk) if txn.sender_token_pk else None
        parent = s.get(FpsTransaction, txn.parent_pk) if txn.parent_pk else None
        refunds = s.scalars(select(FpsTransaction).where(FpsTransaction.parent_pk == txn.id)
                            .order_by(FpsTransaction.id)).all()
        calls = conn.execute(select(ApiCall.id, ApiCall.at, ApiCall.action, ApiCall.http_status, ApiCall.error_code)
                             .where(ApiCall.transaction_id == txn.transaction_id).order_by(ApiCall.id)).all()
        notes = conn.execute(select(Notification.id, Notification.created_at, Notification.status, Notification.state,
                                    Notification.attempts)
                             .where(Notification.transaction_pk == txn.id).order_by(Notification.id)).all()
        s.close()
    names = {pk: a.name for pk, a in people.items()}
    return render_template("admin/transaction.html", txn=txn, people=people, history=history, lines=lines,
                           instrument=instrument, token=token, names=names, parent=parent, refunds=refunds,
                           calls=calls, notes=notes)
