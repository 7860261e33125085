"""The caller's account: GetAccountBalance and GetAccountActivity (fps-spec.md §4.4)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, func, or_, select
from sqlalchemy.orm import Session, aliased

from ..models import Account, FpsTransaction, Instrument, LedgerEntry, Token
from . import errors, ledger
from .accounts import Party
from .statuses import PENDING_SQL, Operation, Status

OPERATIONS = Operation.ALL
PAYMENT_METHODS = ("ABT", "CC", "ACH", "Debt", "Prepaid")
STATUSES = Status.ALL
PARTS = {Operation.REFUND: ("Caller", "Sender")}
ROLES = {"Sender": FpsTransaction.sender_id, "Caller": FpsTransaction.caller_id,
         "Recipient": FpsTransaction.recipient_id}
SORT_ORDERS = ("Ascending", "Descending")
DEFAULT_BATCH, MAX_BATCH = 20, 200


@dataclass(frozen=True)
class AccountBalance:
    available_cents: int
    pending_in_cents: int
    pending_out_cents: int = 0

    @property
    def total_cents(self) -> int:
        return self.available_cents + self.pending_in_cents


def balance(conn: Connection, caller: Party) -> AccountBalance:
    """GetAccountBalance: the Amazon Payments balance, and money on its way in (pending fundings
    and settlements, net of their fees)."""
    available = conn.execute(select(Account.balance_cents).where(Account.id == caller.id)).scalar_one()
    pending = conn.execute(select(func.coalesce(func.sum(FpsTransaction.amount_cents - FpsTransaction.fee_cents), 0))
                           .where(FpsTransaction.recipient_id == caller.id, FpsTransaction.status == PENDING_SQL,
                                  FpsTransaction.operation.in_(Operation.COLLECTING))).scalar_one()
    return AccountBalance(int(available), int(pending))


@dataclass(frozen=True)
class ActivityQuery:
    """GetAccountActivity's filters, already typed."""

    start: datetime
    end: datetime | None = None
    batch_size: int = DEFAULT_BATCH
    order: str = "Descending"
    operation: str | None = None
    payment_method: str | None = None
    roles: tuple[str, ...] = ()
    status: str | None = None

    def check(self, now: datetime) -> None:
        if self.start > now or (self.end is not None and self.end < self.start):
            raise errors.InvalidDateRange()
        for name, value, allowed in (("SortOrderByDate", self.order, SORT_ORDERS),
                                     ("FPSOperation", self.operation, OPERATIONS),
                                     ("PaymentMethod", self.payment_method, PAYMENT_METHODS),
                                     ("TransactionStatus", self.status, STATUSES)):
            if value is not None and value not in allowed:
                raise errors.InvalidParams(f"{name} must be one of {', '.join(allowed)}, not {value[:20]!r}.")
        for role in self.roles:
            if role not in ROLES:
                raise errors.InvalidParams(f"Role.N must be one of Sender, Caller, Recipient, not {role[:20]!r}.")
        if not 1 <= self.batch_size <= MAX_BATCH:
            raise errors.InvalidParams(f"MaxBatchSize must be between 1 and {MAX_BATCH}.")


@dataclass
class ActivityRow:
    """One Transaction element: the transaction, its parties and tokens, and the caller's balance after it."""

    txn: FpsTransaction
    caller_name: str
    sender_name: str
    recipient_name: str
    instrument_id: str | None
    sender_token_id: str | None
    original_transaction_id: str | None
    balance_cents: int

    @property
    def parts(self) -> tuple[str, ...]:
        """The TransactionPart roles, as the service's samples show them: a refund names its Caller and
        Sender, every other transaction its Caller and Recipient."""
        return PARTS.get(self.txn.operation, ("Caller", "Recipient"))


@dataclass
class Activity:
    rows: list[ActivityRow] = field(default_factory=list)
    next_start: datetime | None = None


def activity(conn: Connection, caller: Party, q: ActivityQuery, now: datetime) -> Activity:
    """GetAccountActivity: the caller's transactions in a date range, one batch at a time."""
    q.check(now)
    caller_acc, sender, recipient, parent = aliased(Account), aliased(Account), aliased(Account), \
        aliased(FpsTransaction)
    query = (
        select(FpsTransaction, caller_acc.name, sender.name, recipient.name, Instrument.instrument_id,
               Token.token_id, parent.transaction_id)
        .join(caller_acc, caller_acc.id == FpsTransaction.caller_id)
        .join(sender, sender.id == FpsTransaction.sender_id)
        .join(recipient, recipient.id == FpsTransaction.recipient_id)
        .outerjoin(Instrument, Instrument.id == FpsTransaction.instrument_pk)
        .outerjoin(Token, Token.id == FpsTransaction.sender_token_pk)
        .outerjoin(parent, parent.id == FpsTransaction.parent_pk)
        .where(or_(*(ROLES[r] == caller.id for r in (q.roles or tuple(ROLES)))),
               FpsTransaction.date_received >= q.start)
    )
    if q.end is not None:
        query = query.where(FpsTransaction.date_received <= q.end)
    for column, value in ((FpsTransaction.operation, q.operation), (FpsTransaction.payment_method, q.payment_method),
                          (FpsTransaction.status, q.status)):
        if value is not None:
            query = query.where(column == value)
    order = (FpsTransaction.date_received.asc(), FpsTransaction.id.asc()) if q.order == "Ascending" else (
        FpsTransaction.date_received.desc(), FpsTransaction.id.desc())
    session = Session(bind=conn)
    found = session.execute(query.order_by(*order).limit(q.batch_size + 1)).all()
    session.close()
    result = Activity()
    for txn, *names_and_ids in found[:q.batch_size]:
        result.rows.append(ActivityRow(txn, *names_and_ids, balance_after(conn, caller.id, txn)))
    if len(found) > q.batch_size:
        result.next_start = found[q.batch_size][0].date_received
    return result


def balance_after(conn: Connection, account_id: int, txn: FpsTransaction) -> int:
    """The account's Amazon Payments balance right after the transaction's ledger lines."""
    book = ledger.balance_book(account_id)
    last_line = conn.execute(select(func.max(LedgerEntry.id)).where(LedgerEntry.transaction_pk == txn.id)).scalar()
    query = select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(LedgerEntry.book == book)
    if last_line is not None:
        query = query.where(LedgerEntry.id <= last_line)
    else:
        query = query.where(LedgerEntry.created_at <= txn.date_received)
    return int(conn.execute(query).scalar_one())
