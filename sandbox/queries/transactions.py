"""The console's transactions: the list and one transaction with all its neighbours."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session, aliased

from ..domain.statuses import Operation, Status
from ..models import Account, ApiCall, FpsTransaction, Instrument, LedgerEntry, Notification, StatusHistory, Token
from .paging import Page, newest_first, orm

OPERATIONS = Operation.RECORDED
STATUSES = (Status.PENDING, Status.SUCCESS, Status.FAILURE, Status.CANCELLED, Status.RESERVED)


def listing(s: Session, **filters):
    """Transactions with their sender's and recipient's names; filters by column."""
    sender, recipient = aliased(Account), aliased(Account)
    q = (select(FpsTransaction, sender.name, recipient.name)
         .join(sender, sender.id == FpsTransaction.sender_id)
         .join(recipient, recipient.id == FpsTransaction.recipient_id))
    for column, value in filters.items():
        if value is not None:
            q = q.where(getattr(FpsTransaction, column) == value)
    # Rare values are found through partial indexes (models.FpsTransaction): say so to the planner.
    if filters.get("status") not in (None, Status.SUCCESS):
        q = q.where(FpsTransaction.status != Status.SUCCESS)
    if filters.get("operation") not in (None, Operation.PAY):
        q = q.where(FpsTransaction.operation != Operation.PAY)
    return q


def newest(s: Session, limit: int, **filters) -> list:
    """The newest `limit` transactions matching `filters`, with names."""
    return s.execute(listing(s, **filters).order_by(FpsTransaction.id.desc()).limit(limit)).all()


def found(conn: Connection, transaction_id: str) -> str | None:
    """The TransactionId, if a transaction has it (the search box opens it)."""
    return conn.execute(select(FpsTransaction.transaction_id)
                        .where(FpsTransaction.transaction_id == transaction_id)).scalar()


def page(conn: Connection, filters: dict, *, caller_reference: str | None = None, instrument_id: str | None = None,
         token_id: str | None = None, before: int | None = None) -> Page:
    """One page of transactions, newest first. `filters` are column values (operation, status,
    caller_id, sender_id); an instrument or token id narrows to it; a CallerReference is looked up
    in each caller's index."""
    f = {**filters, "caller_reference": caller_reference}
    with orm(conn) as s:
        if instrument_id:
            f["instrument_pk"] = s.scalar(select(Instrument.id).where(Instrument.instrument_id == instrument_id)) or 0
        if token_id:
            f["sender_token_pk"] = s.scalar(select(Token.id).where(Token.token_id == token_id)) or 0
        query = listing(s, **f)
        if caller_reference:
            query = query.where(FpsTransaction.caller_id.in_(select(Account.id).where(Account.access_key.is_not(None))))
        return newest_first(s, query, FpsTransaction.id, before)


def accounts(conn: Connection) -> list:
    """Every account's id, name and access key (the filters' choices)."""
    return conn.execute(select(Account.id, Account.name, Account.access_key).order_by(Account.id)).all()


def names(s) -> dict[int, str]:
    return dict(s.execute(select(Account.id, Account.name)).all())


@dataclass
class Detail:
    txn: FpsTransaction
    people: dict[int, Account]
    history: list
    lines: list
    instrument: Instrument | None
    token: Token | None
    parent: FpsTransaction | None
    refunds: list
    calls: list
    notes: list
    names: dict[int, str] = field(default_factory=dict)


def detail(conn: Connection, transaction_id: str) -> Detail | None:
    """One transaction: its parties, instrument and token, refunds, ledger lines, status history, the
    API requests about it and its notifications."""
    with orm(conn) as s:
        txn = s.scalars(select(FpsTransaction).where(FpsTransaction.transaction_id == transaction_id)).first()
        if txn is None:
            return None
        people = {a.id: a for a in s.scalars(select(Account).where(
            Account.id.in_([txn.caller_id, txn.sender_id, txn.recipient_id])))}
        return Detail(
            txn=txn, people=people, names={pk: a.name for pk, a in people.items()},
            history=s.scalars(select(StatusHistory).where(StatusHistory.transaction_pk == txn.id)
                              .order_by(StatusHistory.id)).all(),
            lines=s.scalars(select(LedgerEntry).where(LedgerEntry.transaction_pk == txn.id)
                            .order_by(LedgerEntry.id)).all(),
            instrument=s.get(Instrument, txn.instrument_pk) if txn.instrument_pk else None,
            token=s.get(Token, txn.sender_token_pk) if txn.sender_token_pk else None,
            parent=s.get(FpsTransaction, txn.parent_pk) if txn.parent_pk else None,
            refunds=s.scalars(select(FpsTransaction).where(FpsTransaction.parent_pk == txn.id)
                              .order_by(FpsTransaction.id)).all(),
            calls=conn.execute(select(ApiCall.id, ApiCall.at, ApiCall.action, ApiCall.http_status, ApiCall.error_code)
                               .where(ApiCall.transaction_id == txn.transaction_id).order_by(ApiCall.id)).all(),
            notes=conn.execute(select(Notification.id, Notification.created_at, Notification.status,
                                      Notification.state, Notification.attempts)
                               .where(Notification.transaction_pk == txn.id).order_by(Notification.id)).all())
