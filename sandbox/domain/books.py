"""The check that the books balance: every journal sums to zero, and every balance the tables hold
(accounts, each kind's instruments, fees, the console's running totals) agrees with the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, func, select

from ..models import Account, FpsTransaction, Instrument, LedgerEntry
from . import history_rollups, kinds, ledger, rollups
from .statuses import Status


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
    return problems + _check_over_time(conn)


def _check_over_time(conn: Connection) -> list[str]:
    """The totals over time (history_rollups.py) agree with a full count of the status history."""
    by_day = {(pk, day, op): (f.count, f.amount_cents, f.fee_cents) for pk, days in history_rollups.days(conn).items()
              for day, ops in days.items() for op, f in ops.items()}
    counted = {(pk, day, op): (count, int(amount), int(fee))
               for pk, day, op, count, amount, fee in conn.execute(history_rollups.days_after(0))}
    amounts = {(pk, method, amount): count for pk, rows in history_rollups.pay_amounts(conn).items()
               for method, amount, count in rows}
    pays = {(pk, method, int(amount)): count
            for pk, method, amount, count in conn.execute(history_rollups.pay_amounts_after(0))}
    return ([f"running figures of caller {k[0]} on {k[1]}, {k[2]}: {by_day.get(k)} but the status history says "
             f"{counted.get(k)}" for k in sorted(by_day.keys() | counted.keys(), key=str) if by_day.get(k) != counted.get(k)]
            + [f"running Pays of caller {k[0]}, {k[1]} {k[2]}: {amounts.get(k)} but the status history says {pays.get(k)}"
               for k in sorted(amounts.keys() | pays.keys(), key=str) if amounts.get(k) != pays.get(k)])


def quick_check(conn: Connection) -> BooksReport:
    """The check the dashboard runs on every view: the running book totals (domain/rollups.py) sum to
    zero and agree with every balance the tables hold. The full check also sums every journal."""
    totals = rollups.book_totals(conn)
    report = BooksReport(lines=sum(lines for _, lines in totals.values()),
                         total_cents=sum(amount for amount, _ in totals.values()))
    if report.total_cents != 0:
        report.problems.append(f"all lines sum to {report.total_cents}, not 0")
    report.problems += check_balances(conn, {book: amount for book, (amount, _) in totals.items()})
    return report


def check_balances(conn: Connection, books: dict) -> list[str]:
    """Account balances, and each kind's instruments, against their books' totals (book -> cents)."""
    problems: list[str] = []
    for acc_id, cached in conn.execute(select(Account.id, Account.balance_cents)).all():
        derived = int(books.get(ledger.balance_book(acc_id), 0))
        if derived != cached:
            problems.append(f"account {acc_id}: balance {cached} but ledger says {derived}")
        if cached < 0:
            problems.append(f"account {acc_id}: negative balance {cached}")
    instruments = conn.execute(select(Instrument.id, Instrument.kind, Instrument.recipient_id, Instrument.balance_cents,
                                      Instrument.debt_cents, Instrument.limit_cents)).all()
    for kind in kinds.KINDS.values():
        problems += kind.check_books([i for i in instruments if i.kind == kind.name], books)
    return problems


def _check_fees(conn: Connection) -> list[str]:
    problems = []
    fee_lines = dict(
        conn.execute(
            select(LedgerEntry.transaction_pk, func.sum(LedgerEntry.amount_cents))
            .where(LedgerEntry.book == ledger.FEE_REVENUE)
            .group_by(LedgerEntry.transaction_pk)
        ).all()
    )
    for pk, tid, fee, status in conn.execute(
        select(FpsTransaction.id, FpsTransaction.transaction_id, FpsTransaction.fee_cents, FpsTransaction.status)
    ).all():
        booked = int(fee_lines.get(pk, 0))
        expected = fee if status == Status.SUCCESS else 0
        if booked != expected:
            problems.append(f"transaction {tid}: fee {expected} but {booked} booked as fee revenue")
    return problems
