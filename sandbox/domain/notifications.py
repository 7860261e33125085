"""Instant Payment Notifications (fps-spec.md §8): what is sent, and when it is due.

A notification is stored in the same database transaction as the change it reports (so none is
ever lost), with the status it reports; its fields are built from the transaction or token when it
is delivered or shown. Delivery itself (HTTP) lives in sandbox/runtime/ipn.py.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import Connection, bindparam, insert, select
from sqlalchemy.orm import aliased

from ..models import Account, FpsTransaction, Instrument, Notification, Token
from .accounts import IPN_COLUMNS, IpnSettings
from .money import plain
from .statuses import Operation, status_message

OPERATIONS = {Operation.PAY: "PAY", Operation.REFUND: "REFUND", Operation.FUND_PREPAID: "FUND_PREPAID",
              Operation.SETTLE_DEBT: "SETTLE_DEBT", Operation.WRITE_OFF_DEBT: "WRITE_OFF_DEBT"}
REORDER_WINDOW = timedelta(seconds=5)  # "out of order": held this long, then sent newest first

_SETTINGS = select(*IPN_COLUMNS).where(Account.id == bindparam("id"))
_INSERT = insert(Notification.__table__)


def enqueue(conn: Connection, *, caller_id: int, now: datetime, notification_type: str = "TransactionStatus",
            transaction_pk: int | None = None, token_pk: int | None = None, status: str | None = None,
            status_code: str | None = None, url: str | None = None, settings: IpnSettings | None = None) -> None:
    """Store a notification for the caller, due as its settings say (URL, delay, drop, ...)."""
    conn.execute(_INSERT, {**row(caller_id=caller_id, now=now, notification_type=notification_type, status=status,
                                 status_code=status_code, url=url, settings=settings or settings_of(conn, caller_id)),
                           "transaction_pk": transaction_pk, "token_pk": token_pk})


def settings_of(conn: Connection, caller_id: int) -> IpnSettings:
    """Where the caller's notifications go, and how delivery misbehaves on purpose."""
    return IpnSettings(*conn.execute(_SETTINGS, {"id": caller_id}).one())


def row(*, caller_id: int, now: datetime, notification_type: str, status: str | None, status_code: str | None,
        url: str | None, settings: IpnSettings) -> dict:
    """A notification's row, but for what it is about (transaction_pk, token_pk)."""
    s = settings  # short: read six times below
    url = url or s.url
    state, due = "queued", now + timedelta(seconds=s.delay_seconds) + (REORDER_WINDOW if s.reorder else timedelta(0))
    if url is None:
        state, due = "no_url", None
    elif s.drop:
        state, due = "dropped", None
    return {"caller_id": caller_id, "notification_type": notification_type, "status": status,
            "status_code": status_code, "url": url, "state": state, "created_at": now, "next_attempt_at": due,
            "attempts": 0, "forced_failures_left": s.fail_first, "twice": s.twice, "edited_fields": None,
            "delivered_at": None}


_SENDER, _RECIPIENT, _PARENT = aliased(Account), aliased(Account), aliased(FpsTransaction)
# Built once: the delivery worker runs it for every batch of notifications.
_TRANSACTIONS = (
    select(FpsTransaction.__table__, _SENDER.name.label("sender_name"), _SENDER.email.label("sender_email"),
           _RECIPIENT.name.label("recipient_name"), _RECIPIENT.email.label("recipient_email"),
           Instrument.payment_reason, _PARENT.transaction_id.label("parent_id"))
    .join(_SENDER, _SENDER.id == FpsTransaction.sender_id).join(_RECIPIENT, _RECIPIENT.id == FpsTransaction.recipient_id)
    .outerjoin(Instrument, Instrument.id == FpsTransaction.instrument_pk)
    .outerjoin(_PARENT, _PARENT.id == FpsTransaction.parent_pk)
    .where(FpsTransaction.id.in_(bindparam("pks", expanding=True))))


def fields(conn: Connection, n) -> dict[str, str]:
    """The form fields a notification carries (before signing)."""
    return fields_of(conn, [n])[n.id]


def fields_of(conn: Connection, rows: list) -> dict[int, dict[str, str]]:
    """The form fields of several notifications by id, their transactions read in one statement."""
    out = {n.id: json.loads(n.edited_fields) for n in rows if n.edited_fields}
    for n in rows:
        if n.id not in out and n.notification_type == "TokenCancellation":
            out[n.id] = _token_fields(conn, n)
    pending = [n for n in rows if n.id not in out]
    if pending:
        txns = {t.id: t for t in conn.execute(_TRANSACTIONS, {"pks": sorted({n.transaction_pk for n in pending})})}
        for n in pending:
            out[n.id] = _transaction_fields(txns[n.transaction_pk], n)
    return out


def _transaction_fields(t, n) -> dict[str, str]:
    out = {
        "notificationType": "TransactionStatus",
        "operation": OPERATIONS.get(t.operation, t.operation.upper()),
        "transactionId": t.transaction_id,
        "transactionDate": str(int(t.date_received.replace(tzinfo=timezone.utc).timestamp())),
        "transactionStatus": n.status.upper(),
        "statusCode": n.status_code,
        "statusMessage": status_message(n.status_code),
        "transactionAmount": f"USD {plain(t.amount_cents)}",
        "paymentMethod": t.payment_method,
        "callerReference": t.caller_reference,
        "buyerName": t.sender_name,
        "buyerEmail": t.sender_email,
        "recipientName": t.recipient_name,
        "recipientEmail": t.recipient_email,
    }
    if t.payment_reason:
        out["paymentReason"] = t.payment_reason
    if t.parent_id:
        out["parentTransactionId"] = t.parent_id
    return out


def _token_fields(conn: Connection, n) -> dict[str, str]:
    t = conn.execute(select(Token.__table__, Account.name, Account.email)
                     .join(Account, Account.id == Token.sender_id).where(Token.id == n.token_pk)).one()
    out = {
        "notificationType": "TokenCancellation",
        "tokenId": t.token_id,
        "tokenType": t.token_type,
        "dateInstalled": t.date_installed.strftime("%b %d, %Y"),
        "callerReference": t.caller_reference,
        "customerName": t.name,
        "customerEmail": t.email,
    }
    if t.payment_reason:
        out["paymentReason"] = t.payment_reason
    return out
