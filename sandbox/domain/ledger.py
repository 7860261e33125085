"""The append-only double-entry ledger and the check that the books balance.

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

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, func, insert, select

from ..models import Account, FpsTransaction, Instrument, LedgerEntry

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
    rows = []
    for t in transfers:
        if t.cents <= 0:
            raise ValueError(f"a transfer moves a positive amount, not {t.cents}")
        common = {"journal": journal, "transaction_pk": transaction_pk, "memo": t.memo, "created_at": now}
        rows.append({**common, "book": t.source, "amount_cents": -t.cents})
        rows.append({**common, "book": t.target, "amount_cents": t.cents})
    conn.execute(_INSERT_LINES, rows)


@dataclass
class BooksReport:
    """What the invariant check found; `ok` when nothing is wrong."""

    problems: list[str] = field(default_factory=list)
    journals: int = 0
    lines: int = 0
    total_cents: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def check_books(conn: Connection) -> BooksReport:
    """Check every invariant of the ledger against the balances the tables hold."""
    report = BooksReport()
    report.lines, report.total_cents = (
        int(v) for v in conn.execute(
            select(func.count(LedgerEntry.id), func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
        ).one()
    )
    if report.total_cents != 0:
        report.problems.append(f"all lines sum to {report.total_cents}, not 0")
    by_journal = conn.execute(
        select(LedgerEntry.journal, func.sum(LedgerEntry.amount_cents)).group_by(LedgerEntry.journal)
    ).all()
    report.journals = len(by_journal)
    report.problems += [f"journal {j} sums to {s}" for j, s in by_journal if s != 0]

    books = dict(
        conn.execute(select(LedgerEntry.book, func.sum(LedgerEntry.amount_cents)).group_by(LedgerEntry.book)).all()
    )
    report.problems += check_balances(conn, books)
    report.problems += _check_fees(conn)
    report.problems += _check_running_totals(conn, books)
    return report


def _check_running_totals(conn: Connection, books: dict) -> list[str]:
    """The console's running totals (domain/rollups.py) agree with a full count."""
    from . import rollups

    problems = [f"running total of {book}: {total} but its lines sum to {int(books.get(book, 0))}"
                for book, (total, _) in rollups.book_totals(conn).items() if total != int(books.get(book, 0))]
    folded = {(caller_id, *key): (f.count, f.amount_cents, f.fee_cents)
              for caller_id, figures in rollups.caller_figures(conn).items() for key, f in figures.items()}
    counted = {(caller_id, operation, status): (count, int(amount), int(fee)) for caller_id, operation, status, count,
               amount, fee in conn.execute(rollups.statuses_after(0))}
    for key in sorted(folded.keys() | counted.keys(), key=str):
        if folded.get(key) != counted.get(key):
            problems.append(f"running figures of caller {key[0]}, {key[1]} {key[2]}: {folded.get(key)} but "
                            f"the status history says {counted.get(key)}")
    return problems


def quick_check(conn: Connection) -> BooksReport:
    """The check the dashboard runs on every view: the running book totals (domain/rollups.py) sum to
    zero and agree with every balance the tables hold. The full check also sums every journal."""
    from . import rollups

    totals = rollups.book_totals(conn)
    report = BooksReport(lines=sum(lines for _, lines in totals.values()),
                         total_cents=sum(amount for amount, _ in totals.values()))
    if report.total_cents != 0:
        report.problems.append(f"all lines sum to {report.total_cents}, not 0")
    report.problems += check_balances(conn, {book: amount for book, (amount, _) in totals.items()})
    return report


def check_balances(conn: Connection, books: dict) -> list[str]:
    """Account, prepaid and credit balances against their books' totals (book -> cents)."""
    problems: list[str] = []
    for acc_id, cached in conn.execute(select(Account.id, Account.balance_cents)).all():
        derived = int(books.get(balance_book(acc_id), 0))
        if derived != cached:
            problems.append(f"account {acc_id}: balance {cached} but ledger says {derived}")
        if cached < 0:
            problems.append(f"account {acc_id}: negative balance {cached}")

    liability: dict[int, int] = {}
    for pk, kind, recipient, cached, debt, limit in conn.execute(
        select(Instrument.id, Instrument.kind, Instrument.recipient_id, Instrument.balance_cents,
               Instrument.debt_cents, Instrument.limit_cents)
    ).all():
        if kind == "Credit":
            problems += _check_credit(pk, debt, limit, int(books.get(receivable_book(pk), 0)))
            continue
        derived = int(books.get(prepaid_book(pk), 0))
        if derived != cached:
            problems.append(f"prepaid instrument {pk}: balance {cached} but ledger says {derived}")
        if cached < 0:
            problems.append(f"prepaid instrument {pk}: negative balance {cached}")
        liability[recipient] = liability.get(recipient, 0) + cached
    for book, total in books.items():
        if book.startswith("prepaid_liability:"):
            recipient = int(book.split(":")[1])
            if -int(total) != liability.get(recipient, 0):
                problems.append(
                    f"{book}: liability {-int(total)} but its instruments hold {liability.get(recipient, 0)}"
                )

    return problems


def _check_credit(pk: int, debt: int, limit: int, receivable: int) -> list[str]:
    problems = []
    if receivable != debt:
        problems.append(f"credit instrument {pk}: debt {debt} but its receivable book says {receivable}")
    if not 0 <= debt <= limit:
        problems.append(f"credit instrument {pk}: debt {debt} outside 0..{limit}")
    return problems


def _check_fees(conn: Connection) -> list[str]:
    problems = []
    fee_lines = dict(
        conn.execute(
            select(LedgerEntry.transaction_pk, func.sum(LedgerEntry.amount_cents))
            .where(LedgerEntry.book == FEE_REVENUE)
            .group_by(LedgerEntry.transaction_pk)
        ).all()
    )
    for pk, tid, fee, status in conn.execute(
        select(FpsTransaction.id, FpsTransaction.transaction_id, FpsTransaction.fee_cents, FpsTransaction.status)
    ).all():
        booked = int(fee_lines.get(pk, 0))
        expected = fee if status == "Success" else 0
        if booked != expected:
            problems.append(f"transaction {tid}: fee {expected} but {booked} booked as fee revenue")
    return problems
