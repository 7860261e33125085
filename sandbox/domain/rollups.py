"""Running totals for the console, kept exact without summing millions of rows on every view.

The ledger and the status history are append-only, so their totals can be folded up to a
watermark (an id) and the newer rows added when read:

  book balance   = BookTotal up to the ledger mark    + ledger lines after it
  caller figures = CallerTotal up to the status mark  + final statuses after it

`advance_books` and `advance_callers` move a watermark forward (the background worker does it
every round, see services.tick). Each runs in a unit of work of its own. On SQLite writers are
serialized, so every row below the new mark is committed. On PostgreSQL ids are handed out
before commit: a transaction could commit a lower id after the mark moved past it. So the
advance first locks the table against writers (EXCLUSIVE still lets readers in), waiting at
most a moment; when it cannot, it leaves the mark where it was and the next round tries again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import BigInteger, Connection, case, func, insert, select, text, union_all, update
from sqlalchemy import cast as sa_cast
from sqlalchemy.exc import OperationalError

from ..models import BookTotal, CallerTotal, FpsTransaction, LedgerEntry, SandboxMeta, StatusHistory
from .statuses import Operation, Status

LEDGER_MARK, STATUS_MARK = "rollup_ledger_through", "rollup_status_through"
FINAL = Status.ENDED


@dataclass
class Figures:
    """A caller's transactions of one operation that ended in one status."""

    count: int = 0
    amount_cents: int = 0
    fee_cents: int = 0

    def add(self, count: int, amount: int, fee: int) -> None:
        self.count += int(count)
        self.amount_cents += int(amount or 0)
        self.fee_cents += int(fee or 0)


def _mark(conn: Connection, key: str) -> int:
    value = conn.execute(select(SandboxMeta.value).where(SandboxMeta.key == key)).scalar()
    return int(value) if value else 0


def _set_mark(conn: Connection, key: str, value: int) -> None:
    if not conn.execute(update(SandboxMeta).where(SandboxMeta.key == key).values(value=str(value))).rowcount:
        conn.execute(insert(SandboxMeta).values(key=key, value=str(value)))


def _hold(conn: Connection, table: str) -> bool:
    """PostgreSQL: keep writers of `table` out until commit (answers False if they would not let go)."""
    if conn.dialect.name != "postgresql":
        return True
    conn.execute(text("SET LOCAL lock_timeout = '200ms'"))
    try:
        with conn.begin_nested():
            conn.execute(text(f"LOCK TABLE {table} IN EXCLUSIVE MODE"))
    except OperationalError:
        return False
    return True


def _books_after(after, through: int | None = None):
    """Each book's sum and line count over the ledger lines after `after` (an id or a subquery).

    The lines are picked by id in a subquery first: grouped directly, SQLite walks the whole book
    index (in book order) instead of the few newest lines (bench/console_bench.py: 1.8 s vs 1 ms)."""
    newer = (select(LedgerEntry.id, LedgerEntry.book, LedgerEntry.amount_cents)
             .where(LedgerEntry.id > after).order_by(LedgerEntry.id))
    if through is not None:
        newer = newer.where(LedgerEntry.id <= through)
    newer = newer.subquery()
    return select(newer.c.book, func.sum(newer.c.amount_cents), func.count()).group_by(newer.c.book)


def statuses_after(after, through: int | None = None):
    """Per caller, operation and final status: count, gross and fees of the statuses after `after`
    (an id or a subquery), up to `through`."""
    h, t = StatusHistory, FpsTransaction
    q = (select(t.caller_id, t.operation, h.status, func.count(), func.sum(h.amount_cents),
                func.sum(case((h.status == Status.SUCCESS, t.fee_cents), else_=0)))
         .join(t, t.id == h.transaction_pk)
         .where(h.id > after, h.status.in_(FINAL)).group_by(t.caller_id, t.operation, h.status))
    return q if through is None else q.where(h.id <= through)


def mark_subquery(key: str):
    """A watermark, read inside the statement that uses it."""
    return (select(func.coalesce(func.max(sa_cast(SandboxMeta.value, BigInteger)), 0))
            .where(SandboxMeta.key == key).scalar_subquery())


def behind(conn: Connection) -> tuple[bool, bool]:
    """Whether the ledger and the status history have rows after their marks."""
    return (bool(conn.execute(select(func.max(LedgerEntry.id) > mark_subquery(LEDGER_MARK))).scalar()),
            bool(conn.execute(select(func.max(StatusHistory.id) > mark_subquery(STATUS_MARK))).scalar()))


def fold(conn: Connection, source, mark_key: str, delta, total, keys: tuple[str, ...], sums: tuple[str, ...]) -> int:
    """Add the rows `delta(mark, top)` groups after the mark (its `keys`, then its `sums`) into the
    `total` table and move the mark to `source`'s newest id; answers how many groups changed."""
    if not _hold(conn, source.__tablename__):
        return 0
    mark = _mark(conn, mark_key)
    top = conn.execute(select(func.max(source.id))).scalar() or 0
    if top <= mark:
        return 0
    groups = conn.execute(delta(mark, top)).all()
    for row in groups:
        key, added = dict(zip(keys, row[:len(keys)], strict=True)), dict(zip(sums, row[len(keys):], strict=True))
        bumped = conn.execute(update(total).where(*(getattr(total, k) == v for k, v in key.items())).values(
            {k: getattr(total, k) + v for k, v in added.items()})).rowcount
        if not bumped:
            conn.execute(insert(total).values(**key, **added))
    _set_mark(conn, mark_key, top)
    return len(groups)


def advance_books(conn: Connection) -> int:
    """Fold the ledger lines after the mark into BookTotal."""
    return fold(conn, LedgerEntry, LEDGER_MARK, _books_after, BookTotal, ("book",), ("amount_cents", "lines"))


def advance_callers(conn: Connection) -> int:
    """Fold the final statuses after the mark into CallerTotal."""
    return fold(conn, StatusHistory, STATUS_MARK, statuses_after, CallerTotal, ("caller_id", "operation", "status"),
                 ("count", "amount_cents", "fee_cents"))


def book_totals(conn: Connection) -> dict[str, tuple[int, int]]:
    """Every book's (balance in cents, line count), exact: the folded totals plus newer lines.

    One statement, so it reads one snapshot even while an advance commits (PostgreSQL reads each
    statement afresh)."""
    folded = select(BookTotal.book, BookTotal.amount_cents, BookTotal.lines)
    newer = _books_after(mark_subquery(LEDGER_MARK))
    totals: dict[str, tuple[int, int]] = {}
    for book, amount, lines in conn.execute(union_all(folded, newer)):
        was = totals.get(book, (0, 0))
        totals[book] = (was[0] + int(amount), was[1] + int(lines))
    return totals


def caller_figures(conn: Connection) -> dict[int, dict[tuple[str, str], Figures]]:
    """caller id -> (operation, final status) -> Figures, exact: the folded totals plus newer
    statuses (one statement, as above)."""
    folded = select(CallerTotal.caller_id, CallerTotal.operation, CallerTotal.status, CallerTotal.count,
                    CallerTotal.amount_cents, CallerTotal.fee_cents)
    newer = statuses_after(mark_subquery(STATUS_MARK))
    figures: dict[int, dict[tuple[str, str], Figures]] = defaultdict(lambda: defaultdict(Figures))
    for caller_id, operation, status, count, amount, fee in conn.execute(union_all(folded, newer)):
        figures[caller_id][operation, status].add(count, amount, fee)
    return figures


@dataclass
class CallerSummary:
    """What a caller's figures say in words: micro-payments taken, money actually moved, fees."""

    pays: Figures
    collected: Figures  # FundPrepaid and SettleDebt: the only operations that move money
    refunds: Figures
    written_off: Figures
    fees_cents: int
    failures: int

    @property
    def fee_per_pay_cents(self) -> Decimal | None:
        """The fees spread over the Pays, in cents to two places (shown, never booked)."""
        if not self.pays.count:
            return None
        return (Decimal(self.fees_cents) / self.pays.count).quantize(Decimal("0.01"))


def summary(figures: dict[tuple[str, str], Figures]) -> CallerSummary:
    def total(*operations: str, status: str = Status.SUCCESS) -> Figures:
        out = Figures()
        for op in operations:
            f = figures.get((op, status))
            if f:
                out.add(f.count, f.amount_cents, f.fee_cents)
        return out

    return CallerSummary(
        pays=total(Operation.PAY), collected=total(*Operation.COLLECTING), refunds=total(Operation.REFUND),
        written_off=total(Operation.WRITE_OFF_DEBT),
        fees_cents=sum(f.fee_cents for (_, status), f in figures.items() if status == Status.SUCCESS),
        failures=sum(f.count for (_, status), f in figures.items() if status != Status.SUCCESS),
    )
