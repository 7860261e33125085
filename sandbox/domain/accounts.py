"""Accounts: callers found by access key, buyers signing in, and the methods a buyer can pay with."""

from __future__ import annotations

from dataclasses import dataclass

from datetime import datetime

from sqlalchemy import Connection, bindparam, exists, select, update
from ..models import Account, Fault, FpsTransaction, PaymentMethod
from . import driver_sql
from .passwords import check_password
from .statuses import PENDING_SQL
from .money import display


@dataclass(frozen=True)
class IpnSettings:
    """Where a caller's notifications go, and how delivery should misbehave on purpose."""

    url: str | None
    twice: bool = False
    reorder: bool = False
    delay_seconds: int = 0
    drop: bool = False
    fail_first: int = 0


@dataclass(frozen=True)
class Party:
    """An account as the domain sees it: who calls, sends or receives."""

    id: int
    name: str
    email: str
    kind: str
    secret_key: str | None = None
    ipn: IpnSettings | None = None  # read with the caller, so a Pay needs no second look-up


_PARTY_COLUMNS = (Account.id, Account.name, Account.email, Account.kind, Account.secret_key)
IPN_COLUMNS = (Account.ipn_url, Account.ipn_twice, Account.ipn_reorder, Account.ipn_delay_seconds, Account.ipn_drop,
               Account.ipn_fail_first)
_BY_ACCESS_KEY = select(*_PARTY_COLUMNS, *IPN_COLUMNS).where(Account.access_key == bindparam("access_key"))


@dataclass(frozen=True)
class Earlier:
    """What the caller's earlier transaction with a CallerReference was, if there is one (None fields)."""

    caller_reference: str
    transaction_id: str | None
    status: str | None
    fingerprint: str | None


@dataclass(frozen=True)
class CallerContext:
    """What every API call needs to know first, read in one statement."""

    caller: Party | None
    anything_due: bool  # a Pending transaction is due to complete
    faults_armed: bool  # an armed fault exists (domain/outcomes.py)
    earlier: Earlier | None = None  # the request's CallerReference looked up too (domain/transactions.replay)
    read: driver_sql.Read | None = None  # the handler's own read, answered in the same statement


def _context_query():
    due = exists().where(FpsTransaction.status == PENDING_SQL, FpsTransaction.due_at <= bindparam("now"))
    earlier = FpsTransaction.__table__
    return select(*_PARTY_COLUMNS, *IPN_COLUMNS, due.label("anything_due"), exists(select(Fault.id)).label("faults"),
                  earlier.c.transaction_id, earlier.c.status, earlier.c.fingerprint) \
        .outerjoin(earlier, (earlier.c.caller_id == Account.id)
                   & (earlier.c.caller_reference == bindparam("caller_reference"))) \
        .where(Account.access_key == bindparam("access_key"))


_CONTEXT = _context_query()


def caller_context(conn: Connection, access_key: str, now: datetime, caller_reference: str | None = None,
                   read: driver_sql.Read | None = None) -> CallerContext:
    """The caller of an API request, whether there is due work or an armed fault, the caller's earlier
    transaction with `caller_reference`, and the answer to `read` (a read's handler asks for it ahead: one
    statement for all, as this runs on every call; on PostgreSQL a round trip fewer)."""
    params = {"access_key": access_key, "now": now, "caller_reference": caller_reference}
    statement, split = _CONTEXT, None
    if read is not None:
        statement, split = driver_sql.beside(_CONTEXT, read.statement)
        params = {**read.params, **params}
    row = driver_sql.first(conn, statement, params)
    if row is None:
        return CallerContext(None, False, False)
    earlier = Earlier(caller_reference, *row[13:16]) if caller_reference is not None else None
    answered = driver_sql.Read(read.statement, read.params, split(row)) if read is not None else None
    return CallerContext(Party(*row[:5], ipn=IpnSettings(*row[5:11])), bool(row[11]), bool(row[12]), earlier,
                         answered)


def caller_by_access_key(conn: Connection, access_key: str) -> Party | None:
    """The business account that owns `access_key` (with its notification settings), or None."""
    row = conn.execute(_BY_ACCESS_KEY, {"access_key": access_key}).first()
    return Party(*row[:5], ipn=IpnSettings(*row[5:])) if row else None


def party(conn: Connection, account_id: int) -> Party:
    return Party(*conn.execute(select(*_PARTY_COLUMNS).where(Account.id == account_id)).one())


def buyer_by_email(conn: Connection, email: str) -> Party | None:
    """A personal account by its e-mail (the console's recipes act for the demo buyers), or None."""
    row = conn.execute(select(*_PARTY_COLUMNS).where(Account.email == email, Account.kind == "personal")).first()
    return Party(*row) if row else None


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
        choices.append(Choice("ABT", None, f"Amazon Payments balance ({display(balance)})"))
    for row in conn.execute(
        select(PaymentMethod.id, PaymentMethod.method, PaymentMethod.label, PaymentMethod.expiry)
        .where(PaymentMethod.account_id == account_id)
        .order_by(PaymentMethod.id)
    ).all():
        if row.method in allowed:
            choices.append(Choice(row.method, row.id, row.label, row.expiry))
    return choices


def save_ipn_settings(conn: Connection, caller_id: int, settings: IpnSettings) -> None:
    """Where a caller's notifications go, and how delivery misbehaves on purpose (the console's form)."""
    conn.execute(update(Account).where(Account.id == caller_id).values(
        ipn_url=settings.url, ipn_twice=settings.twice, ipn_reorder=settings.reorder,
        ipn_delay_seconds=settings.delay_seconds, ipn_drop=settings.drop, ipn_fail_first=settings.fail_first))
