"""The sandbox's state in numbers, for the JSON control API: rows per table and notifications by state."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from ..models import Account, ApiCall, FpsTransaction, Instrument, LedgerEntry, Notification, Token

COUNTED = {"accounts": Account, "instruments": Instrument, "tokens": Token, "transactions": FpsTransaction,
           "ledger_lines": LedgerEntry, "notifications": Notification, "requests": ApiCall}


def counts(conn: Connection) -> dict:
    """How many rows each table holds, and how many notifications are in each state."""
    out = {name: conn.execute(select(func.count()).select_from(model)).scalar_one() for name, model in COUNTED.items()}
    out["notifications_by_state"] = dict(conn.execute(
        select(Notification.state, func.count()).group_by(Notification.state)).all())
    return out


def notifications_by_id(conn: Connection, pk: int) -> list[dict]:
    """One notification, as plain values (an empty list if there is none)."""
    return notifications(conn, None, 1, pk)


def notifications(conn: Connection, state: str | None, limit: int, pk: int | None = None) -> list[dict]:
    """The newest notifications (or the one numbered `pk`), as plain values."""
    query = (select(Notification.id, Notification.notification_type, Notification.state, Notification.status,
                    Notification.attempts, Notification.url, Notification.created_at, FpsTransaction.transaction_id,
                    Token.token_id)
             .outerjoin(FpsTransaction, FpsTransaction.id == Notification.transaction_pk)
             .outerjoin(Token, Token.id == Notification.token_pk).order_by(Notification.id.desc()).limit(limit))
    if state:
        query = query.where(Notification.state == state)
    if pk is not None:
        query = query.where(Notification.id == pk)
    return [{"id": r.id, "type": r.notification_type, "state": r.state, "status": r.status, "attempts": r.attempts,
             "url": r.url, "created_at": r.created_at.isoformat() + "Z", "transaction_id": r.transaction_id,
             "token_id": r.token_id} for r in conn.execute(query).all()]
