"""Accounts: callers found by access key, buyers signing in, and the methods a buyer can pay with."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, select
from ..models import Account, PaymentMethod
from .passwords import check_password


@dataclass(frozen=True)
class Party:
    """An account as the domain sees it: who calls, sends or receives."""

    id: int
    name: str
    email: str
    kind: str
    secret_key: str | None = None


_PARTY_COLUMNS = (Account.id, Account.name, Account.email, Account.kind, Account.secret_key)
_BY_ACCESS_KEY = select(*_PARTY_COLUMNS).where(Account.access_key == bindparam("access_key"))


def caller_by_access_key(conn: Connection, access_key: str) -> Party | None:
    """The business account that owns `access_key`, or None."""
    row = conn.execute(_BY_ACCESS_KEY, {"access_key": access_key}).first()
    return Party(*row) if row else None


def party(conn: Connection, account_id: int) -> Party:
    return Party(*conn.execute(select(*_PARTY_COLUMNS).where(Account.id == account_id)).one())


def authenticate(conn: Connection, email: str, password: str) -> Party | None:
    """The account whose demo login this is, or None for a wrong e-mail or password."""
    row = conn.execute(select(*_PARTY_COLUMNS, Account.password).where(Account.email == email.strip().lower())).first()
    if row is None or not row.password or not check_password(row.password, password):
        return None
    return Party(*row[:5])


@dataclass(frozen=True)
class Choice:
    """One way a buyer can pay: ABT (their balance), a card or a bank account."""

    method: str
    payment_method_id: int | None
    label: str
    expiry: str | None = None


def payment_choices(conn: Connection, account_id: int, allowed: tuple[str, ...]) -> list[Choice]:
    """The buyer's payment methods that the caller's `paymentMethod` list allows, ABT first."""
    choices: list[Choice] = []
    if "ABT" in allowed:
        balance = conn.execute(select(Account.balance_cents).where(Account.id == account_id)).scalar_one()
        choices.append(Choice("ABT", None, f"Amazon Payments balance (${balance / 100:,.2f})"))
    for row in conn.execute(
        select(PaymentMethod.id, PaymentMethod.method, PaymentMethod.label, PaymentMethod.expiry)
        .where(PaymentMethod.account_id == account_id)
        .order_by(PaymentMethod.id)
    ).all():
        if row.method in allowed:
            choices.append(Choice(row.method, row.id, row.label, row.expiry))
    return choices
