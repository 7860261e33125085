"""The console's notifications: the inbox, one notification with its attempts, the IPN settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from ..models import Account, DeliveryAttempt, FpsTransaction, Notification, Token
from .paging import Page, newest_first, orm

STATES = ("queued", "delivered", "failed", "no_url", "dropped")


WAITING_SHOWN = 1000  # more queued than this reads "1,000+": counting a million on every view costs 200 ms


def inbox(conn: Connection, *, state: str | None, caller: int | None, about: str | None,
          before: int | None) -> tuple[Page, int]:
    """Notifications newest first, and how many are waiting; `about` is a TransactionId or token id."""
    query = (select(Notification, Account.name, FpsTransaction.transaction_id, FpsTransaction.operation,
                    Token.token_id)
             .join(Account, Account.id == Notification.caller_id)
             .outerjoin(FpsTransaction, FpsTransaction.id == Notification.transaction_pk)
             .outerjoin(Token, Token.id == Notification.token_pk))
    if state:
        query = query.where(Notification.state == state)
    if caller:
        query = query.where(Notification.caller_id == caller)
    if about:  # a transaction or a token (each through its own index)
        txn = conn.execute(select(FpsTransaction.id).where(FpsTransaction.transaction_id == about)).scalar()
        token = conn.execute(select(Token.id).where(Token.token_id == about)).scalar()
        query = query.where(Notification.transaction_pk == txn) if txn else \
            query.where(Notification.token_pk == (token or 0))
    queued = select(Notification.id).where(Notification.state == "queued").limit(WAITING_SHOWN + 1).subquery()
    waiting = conn.execute(select(func.count()).select_from(queued)).scalar()  # counted up to a limit: "1,000+"
    with orm(conn) as s:
        return newest_first(s, query, Notification.id, before), waiting


def callers(conn: Connection) -> list:
    """Every caller's account row (its notification settings included), oldest first."""
    return conn.execute(select(Account.__table__).where(Account.access_key.is_not(None)).order_by(Account.id)).all()


@dataclass
class NotificationDetail:
    n: object
    attempts: list
    caller: str
    url: str | None  # where it goes: its own override or the caller's setting
    txn_id: str | None
    token_id: str | None


def notification(conn: Connection, pk: int) -> NotificationDetail | None:
    n = conn.execute(select(Notification.__table__).where(Notification.id == pk)).first()
    if n is None:
        return None
    return NotificationDetail(
        n=n,
        attempts=conn.execute(select(DeliveryAttempt.__table__).where(DeliveryAttempt.notification_pk == pk)
                              .order_by(DeliveryAttempt.id)).all(),
        caller=conn.execute(select(Account.name).where(Account.id == n.caller_id)).scalar_one(),
        url=n.url or conn.execute(select(Account.ipn_url).where(Account.id == n.caller_id)).scalar(),
        txn_id=conn.execute(select(FpsTransaction.transaction_id).where(FpsTransaction.id == n.transaction_pk))
        .scalar() if n.transaction_pk else None,
        token_id=conn.execute(select(Token.token_id).where(Token.id == n.token_pk)).scalar() if n.token_pk else None)
