"""The append-only double-entry ledger: book names, transfers and posting (domain/books.py checks it).

Every money movement is posted as transfers: each transfer takes cents out of one book and
puts them into another, written as two lines (-cents, +cents), so every journal sums to zero.

Books (ledger accounts):
  opening                   money that entered the sandbox world with the demo fixture
  funding:CC:7, funding:ACH:8  a buyer's card or bank account (goes negative as it is charged)
  balance:3                 an account's Amazon Payments balance (ABT)
  clearing                  money in flight between a funding source and its recipients
  fee_revenue               FPS fees
  prepaid:5                 a prepaid instrument's stored value, owed to its buyer
  prepaid_liability:2       the recipient's side of the prepaid instruments it issued
  receivable:6              a credit instrument's debt: what its buyer owes the recipient
  credit_sales:2            the recipient's sales on credit not yet settled (balances the receivables)
  written_off:2             debt the recipient forgave (an expense)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert

from ..models import LedgerEntry

CLEARING = "clearing"
FEE_REVENUE = "fee_revenue"
OPENING = "opening"


def balance_book(account_id: int) -> str:
    return f"balance:{account_id}"


def funding_book(method: str, payment_method_id: int | None, account_id: int) -> str:
    """The book money is drawn from when a buyer pays with `method`."""
    if method == "ABT":
        return balance_book(account_id)
    return f"funding:{method}:{payment_method_id}"


def prepaid_book(instrument_pk: int) -> str:
    return f"prepaid:{instrument_pk}"


def prepaid_liability_book(recipient_id: int) -> str:
    return f"prepaid_liability:{recipient_id}"


def recipient_of_liability(book: str) -> int | None:
    """The recipient whose prepaid liability `book` is, or None for another book."""
    prefix, _, recipient = book.partition(":")
    return int(recipient) if prefix == "prepaid_liability" and recipient.isdigit() else None


_INSERT_LINES = insert(LedgerEntry.__table__)


def receivable_book(instrument_pk: int) -> str:
    return f"receivable:{instrument_pk}"


def credit_sales_book(recipient_id: int) -> str:
    return f"credit_sales:{recipient_id}"


def written_off_book(recipient_id: int) -> str:
    return f"written_off:{recipient_id}"


@dataclass(frozen=True)
class Transfer:
    """Move `cents` from one book to another."""

    source: str
    target: str
    cents: int
    memo: str


def post(
    conn: Connection,
    journal: str,
    transfers: list[Transfer],
    now: datetime,
    transaction_pk: int | None = None,
) -> None:
    """Append the transfers of one journal; each becomes a balanced pair of lines."""
    conn.execute(_INSERT_LINES, [{**r, "transaction_pk": transaction_pk} for r in lines(journal, transfers, now)])


def lines(journal: str, transfers: list[Transfer], now: datetime) -> list[dict]:
    """The rows of a journal (without their transaction): a balanced pair of lines per transfer."""
    rows = []
    for t in transfers:
        if t.cents <= 0:
            raise ValueError(f"a transfer moves a positive amount, not {t.cents}")
        common = {"journal": journal, "memo": t.memo, "created_at": now}
        rows.append({**common, "book": t.source, "amount_cents": -t.cents})
        rows.append({**common, "book": t.target, "amount_cents": t.cents})
    return rows
