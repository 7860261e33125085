"""Running totals over time, kept as the console's other running totals are (rollups.py): each caller's
successful transactions per day and operation, and its successful Pays per amount and payment method.

The first feed the dashboard's charts; the second say what the Pays would have cost in fees charged one
by one. Both are folded up to watermarks of their own in the status history, and read exactly: the
folded rows plus the few newer statuses.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, String, case, func, select, union_all
from sqlalchemy import cast as sa_cast

from ..models import CallerDayTotal, FpsTransaction, Instrument, PayAmountTotal, StatusHistory
from .rollups import Figures, fold, mark_subquery
from .statuses import Operation, Status

DAYS_MARK, AMOUNTS_MARK = "rollup_days_through", "rollup_pay_amounts_through"


def _day(column):
    """YYYY-MM-DD of a timestamp, the same on SQLite (text) and PostgreSQL (cast to text)."""
    return func.substr(sa_cast(column, String), 1, 10)


def _newer(after, through: int | None):
    """The successes after `after` (an id or a subquery), picked by id first: joined and grouped directly,
    SQLite walks a whole index of the transactions instead (bench/console_bench.py: 510 ms vs 1 ms)."""
    h = StatusHistory
    q = select(h.id, h.transaction_pk, h.date, h.amount_cents).where(h.id > after, h.status == Status.SUCCESS)
    if through is not None:
        q = q.where(h.id <= through)
    return q.order_by(h.id).subquery()


def days_after(after, through: int | None = None):
    """Per caller, day and operation: count, gross and fees of the successes after `after`."""
    t, newer = FpsTransaction, _newer(after, through)
    day = _day(newer.c.date)
    return (select(t.caller_id, day, t.operation, func.count(), func.sum(newer.c.amount_cents), func.sum(t.fee_cents))
            .select_from(newer).join(t, t.id == newer.c.transaction_pk).group_by(t.caller_id, day, t.operation))


def pay_amounts_after(after, through: int | None = None):
    """Per caller, payment method and amount: how many Pays succeeded after `after`."""
    t, newer = FpsTransaction, _newer(after, through)
    pays = func.sum(case((t.operation == Operation.PAY, 1), else_=0))  # counted, not filtered: a WHERE on the
    return (select(t.caller_id, Instrument.payment_method, newer.c.amount_cents, pays)  # operation would let
            .select_from(newer).join(t, t.id == newer.c.transaction_pk)  # SQLite read every Pay by that index
            .join(Instrument, Instrument.id == t.instrument_pk)
            .group_by(t.caller_id, Instrument.payment_method, newer.c.amount_cents).having(pays > 0))


def advance(conn: Connection) -> int:
    """Fold the successes after each mark into the two tables; answers how many groups changed."""
    return (fold(conn, StatusHistory, DAYS_MARK, days_after, CallerDayTotal, ("caller_id", "day", "operation"),
                 ("count", "amount_cents", "fee_cents"))
            + fold(conn, StatusHistory, AMOUNTS_MARK, pay_amounts_after, PayAmountTotal,
                   ("caller_id", "payment_method", "amount_cents"), ("count",)))


def behind(conn: Connection) -> bool:
    """Whether the status history has rows after either mark."""
    top = select(func.max(StatusHistory.id)).scalar_subquery()
    return bool(conn.execute(select((top > mark_subquery(DAYS_MARK)) | (top > mark_subquery(AMOUNTS_MARK))))
                .scalar())


def days(conn: Connection) -> dict[int, dict[str, dict[str, Figures]]]:
    """caller id -> day -> operation -> Figures of the successes, exact."""
    folded = select(CallerDayTotal.caller_id, CallerDayTotal.day, CallerDayTotal.operation, CallerDayTotal.count,
                    CallerDayTotal.amount_cents, CallerDayTotal.fee_cents)
    out: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(Figures)))
    for caller_id, day, operation, count, amount, fee in conn.execute(
            union_all(folded, days_after(mark_subquery(DAYS_MARK)))):
        out[caller_id][day][operation].add(count, amount, fee)
    return out


def pay_amounts(conn: Connection) -> dict[int, list[tuple[str, int, int]]]:
    """caller id -> (payment method, amount in cents, how many Pays), exact."""
    folded = select(PayAmountTotal.caller_id, PayAmountTotal.payment_method, PayAmountTotal.amount_cents,
                    PayAmountTotal.count)
    merged: dict[tuple[int, str, int], int] = defaultdict(int)
    for caller_id, method, amount, count in conn.execute(
            union_all(folded, pay_amounts_after(mark_subquery(AMOUNTS_MARK)))):
        merged[caller_id, method, int(amount)] += int(count)  # a folded group and its newer Pays: one figure
    out: dict[int, list] = defaultdict(list)
    for (caller_id, method, amount), count in sorted(merged.items()):
        out[caller_id].append((method, amount, count))
    return out
