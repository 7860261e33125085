"""The console's accounts: callers (businesses with access keys) and buyers, each with what is theirs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, or_, select

from ..domain import rollups
from ..domain.ledger import balance_book
from ..models import Account, Instrument, PaymentMethod, Token
from .paging import Page, newest_first, orm
from .transactions import names, newest

ROLES = ("callers", "buyers")


def accounts(conn: Connection, *, role: str | None, q: str | None, before: int | None) -> Page:
    """Accounts newest first: callers or buyers; `q` matches a name, an e-mail or an access key."""
    query = select(Account)
    if role:
        query = query.where(Account.access_key.is_not(None) if role == "callers" else Account.access_key.is_(None))
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(Account.name.ilike(pattern, escape="\\"), Account.email.ilike(pattern, escape="\\"),
                                Account.access_key == q))
    with orm(conn) as s:
        return newest_first(s, query, Account.id, before)


def callers(conn: Connection) -> list:
    """The accounts with access keys: id, name, access key and secret key, oldest first."""
    return conn.execute(select(Account.id, Account.name, Account.access_key, Account.secret_key)
                        .where(Account.access_key.is_not(None)).order_by(Account.id)).all()


@dataclass
class AccountDetail:
    acc: Account
    methods: list
    instruments: list
    token_count: int
    txns: list
    figures: dict | None
    liability: int
    debt: int
    names: dict[int, str]
    book: str


def account(conn: Connection, pk: int) -> AccountDetail | None:
    """One account: balance and ledger book; as a caller its figures, instruments issued; as a buyer its
    payment methods and instruments; newest transactions either way."""
    with orm(conn) as s:
        acc = s.get(Account, pk)
        if acc is None:
            return None
        caller = acc.access_key is not None
        side = Instrument.caller_id if caller else Instrument.sender_id
        liability, debt = conn.execute(
            select(func.coalesce(func.sum(Instrument.balance_cents), 0), func.coalesce(func.sum(Instrument.debt_cents), 0))
            .where(Instrument.recipient_id == pk)).one()
        return AccountDetail(
            acc=acc,
            methods=s.scalars(select(PaymentMethod).where(PaymentMethod.account_id == pk).order_by(PaymentMethod.id)).all(),
            instruments=s.scalars(select(Instrument).where(side == pk).order_by(Instrument.id.desc()).limit(20)).all(),
            token_count=conn.execute(select(func.count()).select_from(Token).where(
                (Token.caller_id if caller else Token.sender_id) == pk)).scalar(),
            txns=newest(s, 10, **({"caller_id": pk} if caller else {"sender_id": pk})),
            figures=rollups.summary(rollups.caller_figures(conn).get(pk, {})) if caller else None,
            liability=int(liability), debt=int(debt), names=names(s), book=balance_book(pk))
