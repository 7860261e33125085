"""Transactions: CallerReference idempotency, recording, status, and look-ups."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.orm import Session, aliased

from ..models import Account, FpsTransaction, Instrument, LedgerEntry, Notification, StatusHistory, Token
from . import errors, ledger, notifications
from .accounts import IpnSettings
from .linked_rows import Children, Guard, insert_linked
from .call import Call
from .ids import TRANSACTION_ID_RE
from .statuses import PENDING_SQL, Operation, Status, StatusCode, status_message


@dataclass(frozen=True)
class TxnResult:
    """What a money-moving action answers: the transaction id and its status."""

    transaction_id: str
    status: str


def fingerprint(action: str, params: dict[str, str]) -> str:
    """A digest of what a request asks for, to tell a replay from a different request."""
    body = json.dumps([action, sorted(params.items())], separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


_TXN = FpsTransaction.__table__
# Built once: the Pay path runs these on every request (see bench/).
_REPLAY = select(_TXN.c.transaction_id, _TXN.c.status, _TXN.c.fingerprint).where(
    _TXN.c.caller_id == bindparam("caller_id"), _TXN.c.caller_reference == bindparam("caller_reference"))
_HISTORY, _NOTIFICATION, _LINES = StatusHistory.__table__, Notification.__table__, LedgerEntry.__table__


def replay(call: Call) -> TxnResult | None:
    """The original transaction if this CallerReference was used for the same request.

    Raises DuplicateRequest when it was used for a different one.
    """
    row = call.earlier
    if row is None or row.caller_reference != call.caller_reference:
        row = call.conn.execute(_REPLAY, {"caller_id": call.caller.id,
                                          "caller_reference": call.caller_reference}).first()
    if row is None or row.transaction_id is None:
        return None
    if row.fingerprint != call.fingerprint:
        raise errors.DuplicateRequest(caller_reference=call.caller_reference, transaction_id=row.transaction_id)
    return TxnResult(row.transaction_id, row.status)


def record(conn: Connection, *, now: datetime, status: str = Status.SUCCESS, status_code: str = StatusCode.SUCCESS,
           history: bool = True, ipn: IpnSettings | None = None, moves: list[ledger.Transfer] | None = None,
           guard: Guard | None = None, **values) -> int | None:
    """Insert a transaction with its first StatusHistory entry and notification (unless `history` is False)
    and its ledger journal (`moves`), in one statement where the engine allows; returns its key (None with a
    `guard`: written when the unit of work ends, if the guard matches; linked_rows.py)."""
    values.setdefault("date_completed", now if status in (Status.SUCCESS, Status.FAILURE) else None)
    row = {"status": status, "status_code": status_code, "status_message": status_message(status_code),
           "date_received": now, "fee_cents": 0, "fees_paid_by": "Recipient", "caller_description": None,
           "sender_description": None, "instrument_pk": None, "sender_token_pk": None, "parent_pk": None,
           "due_at": None, "outcome": None, "override_ipn_url": None, **values}
    children = []
    if history:
        ipn = ipn or notifications.settings_of(conn, row["caller_id"])
        children += [
            Children(_HISTORY, "transaction_pk", [{"date": now, "status": status, "status_code": status_code,
                                                   "amount_cents": values["amount_cents"]}]),
            Children(_NOTIFICATION, "transaction_pk", [{**notifications.row(
                caller_id=row["caller_id"], now=now, notification_type="TransactionStatus", status=status,
                status_code=status_code, url=row["override_ipn_url"], settings=ipn), "token_pk": None}])]
    if moves:
        children.append(Children(_LINES, "transaction_pk", ledger.lines(row["transaction_id"], moves, now)))
    return insert_linked(conn, _TXN, row, children, guard)


def of_call(call: Call) -> dict:
    """The columns of a new transaction that the call value gives: who called, with which reference."""
    return {"caller_id": call.caller.id, "caller_reference": call.caller_reference, "fingerprint": call.fingerprint,
            "caller_description": call.caller_description, "sender_description": call.sender_description,
            "override_ipn_url": call.override_ipn_url}


def book(call: Call, moves: list[ledger.Transfer], guard: Guard | None = None, **values) -> TxnResult:
    """Record a successful transaction of the caller's and post its ledger journal in one go (with a `guard`,
    when the unit of work ends, if the guard matches)."""
    txn_id = call.ids.transaction_id()
    record(call.conn, now=call.now, transaction_id=txn_id, ipn=call.caller.ipn, moves=moves, guard=guard,
           **of_call(call), **values)
    return TxnResult(txn_id, Status.SUCCESS)


def pending_amount(conn: Connection, operation: str, *, instrument_pk: int | None = None,
                   recipient_id: int | None = None) -> int:
    """Cents of `operation` still Pending on an instrument, or for a recipient."""
    query = select(func.coalesce(func.sum(_TXN.c.amount_cents), 0)).where(
        _TXN.c.status == PENDING_SQL, _TXN.c.operation == operation)
    if instrument_pk is not None:
        query = query.where(_TXN.c.instrument_pk == instrument_pk)
    if recipient_id is not None:
        query = query.where(_TXN.c.recipient_id == recipient_id)
    return int(conn.execute(query).scalar_one())


def check_transaction_id(transaction_id: str) -> None:
    """InvalidParams (FPS's own wording) for a value that cannot be a transaction id."""
    if not TRANSACTION_ID_RE.fullmatch(transaction_id or ""):
        raise errors.InvalidParams(
            f"transactionId has to be a valid transaction ID. Specified value: {transaction_id}"
        )


@dataclass(frozen=True)
class TransactionView:
    """Everything GetTransaction and the admin console show about one transaction."""

    txn: FpsTransaction
    caller: Account
    sender: Account
    recipient: Account
    sender_token_id: str | None
    instrument_id: str | None
    instrument_kind: str | None
    history: list[StatusHistory]
    related: list[tuple[str, str]]  # (TransactionId, RelationType): a refund's Parent, an original's Refunds


def view(conn: Connection, caller_id: int, transaction_id: str) -> TransactionView:
    """A transaction the caller took part in (as caller, sender or recipient)."""
    check_transaction_id(transaction_id)
    caller, sender, recipient = aliased(Account), aliased(Account), aliased(Account)
    session = Session(bind=conn)
    row = session.execute(
        select(FpsTransaction, caller, sender, recipient, Token.token_id, Instrument.instrument_id, Instrument.kind)
        .join(caller, caller.id == FpsTransaction.caller_id)
        .join(sender, sender.id == FpsTransaction.sender_id)
        .join(recipient, recipient.id == FpsTransaction.recipient_id)
        .outerjoin(Token, Token.id == FpsTransaction.sender_token_pk)
        .outerjoin(Instrument, Instrument.id == FpsTransaction.instrument_pk)
        .where(FpsTransaction.transaction_id == transaction_id)
    ).first()
    if row is None or caller_id not in (row[0].caller_id, row[0].sender_id, row[0].recipient_id):
        raise errors.InvalidTransactionId(transaction_id=transaction_id)
    history = [
        h
        for (h,) in session.execute(
            select(StatusHistory).where(StatusHistory.transaction_pk == row[0].id).order_by(StatusHistory.id)
        ).all()
    ]
    txn = row[0]
    related = [(tid, Operation.REFUND) for tid in session.scalars(
        select(FpsTransaction.transaction_id).where(FpsTransaction.parent_pk == txn.id).order_by(FpsTransaction.id))]
    if txn.parent_pk is not None:
        related.insert(0, (session.scalar(select(FpsTransaction.transaction_id)
                                          .where(FpsTransaction.id == txn.parent_pk)), "Parent"))
    session.close()
    return TransactionView(*row, history=history, related=related)
