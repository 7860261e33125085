"""The instrument-kind interface: what differs between a prepaid and a credit (postpaid) instrument.

Everything else is shared code that looks the kind up in domain/kinds.py: installing through a
Co-Branded pipeline, Pay (payments.py), collecting money with FundPrepaid or SettleDebt
(collect.py, completion.py), Refund (refunds.py), the books check (books.py) and the console.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, select

from ..models import FpsTransaction, Instrument, Token
from . import driver_sql, tokens, transactions
from .accounts import Party
from .call import Call
from .ids import IdGenerator
from .ledger import Transfer
from .linked_rows import Guard
from .statuses import PENDING_SQL
from .tokens import Limit

_INST, _TXN = Instrument.__table__, FpsTransaction.__table__
# What a Pay reads of its sender token and the token's instrument (domain/payments.py).
TOKEN_WITH_INSTRUMENT = (*Token.__table__.c, _INST.c.instrument_id, _INST.c.recipient_id.label("instrument_recipient_id"),
                         _INST.c.balance_cents, _INST.c.debt_cents, _INST.c.limit_cents, _INST.c.global_limit_cents)
# GetPrepaidBalance / GetDebtBalance in one statement: what the answer and its checks use of the instrument (its
# id, never NULL, tells a row found from none), and what is still being collected on it. Not the whole row:
# converting its dates and the rest cost a read 1.6% of its instructions (callgrind, in process).
_WITH_PENDING = select(_INST.c.id, _INST.c.kind, _INST.c.sender_id, _INST.c.recipient_id, _INST.c.balance_cents,
                       _INST.c.debt_cents, select(func.coalesce(func.sum(_TXN.c.amount_cents), 0)).where(
    _TXN.c.status == PENDING_SQL, _TXN.c.operation == bindparam("operation"), _TXN.c.instrument_pk == _INST.c.id,
).scalar_subquery().label("pending_cents")).where(_INST.c.instrument_id == bindparam("instrument_id"))


@dataclass(frozen=True)
class Authorization:
    """What the buyer authorized on a Co-Branded pipeline's pages (one instrument, two tokens)."""

    references: dict[str, str]  # the caller's reference for each token, by role
    limit_cents: int  # fundingAmount (prepaid) or creditLimit (credit)
    currency: str
    payment_method: str  # how money is collected: ABT | ACH | CC
    payment_method_id: int | None
    payment_reason: str | None
    validity_start: datetime
    validity_expiry: datetime | None
    global_limit_cents: int | None = None
    usage_limits: tuple[Limit, ...] = ()


@dataclass(frozen=True)
class Balance:
    """An instrument's (or a caller's total) balance and what is still Pending on it."""

    available_cents: int
    pending_cents: int = 0

    @property
    def pending_in_cents(self) -> int:  # the prepaid templates' name
        return self.pending_cents

    @property
    def pending_out_cents(self) -> int:  # the debt templates' name
        return self.pending_cents


class InstrumentKind(ABC):
    """One kind of Aggregated Payments instrument. Subclasses set the names and implement the money."""

    name: str  # Instrument.kind
    pipeline: str  # the Co-Branded pipeline that installs it
    instrument_param: str  # the Query-API parameter naming it
    word: str  # how messages call it
    sender_role: str  # the token Pay spends
    pay_method: str  # the PaymentMethod of its Pay transactions
    collect_role: str  # the token that collects money from the buyer's payment method
    collect_token_name: str  # what the return URL calls that token
    collect_operation: str  # the operation that collects money
    collect_amount_param: str
    collect_expires: bool  # whether the instrument's expiry stops collecting
    held: str  # the Instrument column with its figure: the prepaid balance, or the debt
    returned: dict[str, str]  # the return URL's name for the instrument ("") and each token role

    def install(self, conn: Connection, caller: Party, buyer: Party, auth: Authorization, now: datetime,
                ids: IdGenerator) -> dict[str, str]:
        """Create the instrument and its two tokens; answers the ids the return URL carries, by name."""
        installed = tokens.install(
            conn, caller, buyer, now=now, ids=ids,
            refs={ref: role for role, ref in auth.references.items()},
            roles_methods={self.sender_role: self.pay_method, self.collect_role: auth.payment_method},
            instrument=dict(kind=self.name, currency=auth.currency, limit_cents=auth.limit_cents,
                            global_limit_cents=auth.global_limit_cents, payment_method=auth.payment_method,
                            payment_method_id=auth.payment_method_id, payment_reason=auth.payment_reason,
                            validity_start=auth.validity_start, validity_expiry=auth.validity_expiry),
            limits={self.sender_role: auth.usage_limits},
        )
        ids_by_role = {"": installed.instrument_id, **installed.token_ids}
        return {name: ids_by_role[role] for role, name in self.returned.items()}

    @abstractmethod
    def authorization(self, values: dict, payment_method: str, payment_method_id: int | None) -> Authorization:
        """The authorization from a pipeline's checked inputs (cbui/pipelines.py) and the buyer's method."""

    @abstractmethod
    def terms(self, values: dict) -> dict:
        """What the pipeline's pages tell the buyer: headline, title, method note, terms, consent."""

    @abstractmethod
    def pay(self, call: Call, token, amount_cents: int) -> Transfer:
        """Pay with the sender token (row joined with its locked instrument): change the instrument; answers
        the ledger transfer. No money moves and no fee is charged."""

    def guarded_pay(self, conn: Connection, token, amount_cents: int) -> tuple[Transfer, Guard] | None:
        """Pay with the sender token as read ahead, without a lock (`token`, checked already): the ledger
        transfer, and the guard under which the Pay's rows are written (linked_rows.Guard: it re-checks in the
        same statement what the Pay relied on), where this kind and engine can; None: the Pay reads the token
        again, locked, and calls `pay`."""
        return None

    @abstractmethod
    def check_collect(self, conn: Connection, inst, amount_cents: int) -> None:
        """Refuse a collection this instrument cannot take (already funded, more than the debt, ...)."""

    def reserve(self, conn: Connection, inst, amount_cents: int) -> None:
        """Hold what a Pending collection needs, so a second one is refused (nothing, by default)."""
        return None

    def release(self, conn: Connection, instrument_pk: int) -> None:
        """Undo `reserve` for a collection that failed or was cancelled."""
        return None

    @abstractmethod
    def collected(self, conn: Connection, inst, amount_cents: int) -> Transfer:
        """A collection completed: change the instrument; answers the ledger transfer."""

    @abstractmethod
    def reverse(self, conn: Connection, inst, amount_cents: int) -> Transfer:
        """Refund part of a Pay: change the instrument back; answers the ledger transfer."""

    def balance_read(self, instrument_id: str) -> driver_sql.Read:
        """The one statement `balance` reads (the instrument, and what is being collected on it)."""
        return driver_sql.Read(_WITH_PENDING, {"instrument_id": instrument_id, "operation": self.collect_operation})

    def balance(self, conn: Connection, caller: Party, instrument_id: str,
                read: driver_sql.Read | None = None) -> Balance:
        """GetPrepaidBalance / GetDebtBalance: the instrument's figure and what is still being collected
        (its sender or recipient only); `read`: `balance_read`'s answer when it was read ahead."""
        wanted = self.balance_read(instrument_id)
        row = read.row if read is not None and read.answers(wanted) else \
            driver_sql.first(conn, wanted.statement, wanted.params)
        tokens.check_instrument(row, caller, instrument_id, self, sender_may_read=True)
        return Balance(getattr(row, self.held), int(row.pending_cents))

    def total(self, conn: Connection, caller: Party) -> Balance:
        """GetTotalPrepaidLiability / GetOutstandingDebtBalance: the caller's total across the instruments
        of this kind it issued."""
        column = getattr(Instrument, self.held)
        total = conn.execute(select(func.coalesce(func.sum(column), 0)).where(
            Instrument.kind == self.name, Instrument.recipient_id == caller.id)).scalar_one()
        return Balance(int(total), transactions.pending_amount(conn, self.collect_operation, recipient_id=caller.id))

    @abstractmethod
    def check_books(self, instruments: list, books: dict[str, int]) -> list[str]:
        """What is wrong between the rows of the instruments of this kind and the ledger (book -> cents)."""

    @abstractmethod
    def book(self, instrument_pk: int) -> str:
        """The instrument's own ledger book (its balance or its debt)."""
