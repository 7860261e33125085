"""The console's dashboard: each caller's figures, what is owed, recent activity, the books check."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from ..domain import history_rollups, rollups
from ..domain.books import BooksReport, quick_check
from ..domain.fees import FeeSchedule
from ..domain.statuses import Status
from ..models import Account, FpsTransaction, Instrument
from .paging import orm
from .savings import one_by_one
from .transactions import newest


@dataclass
class Dashboard:
    callers: list
    owed: dict[int, tuple[int, int]]  # recipient -> (prepaid liability, debt owed to it)
    summaries: dict[int, dict]
    pending: int
    recent: list
    latest: dict[int, list]
    books: BooksReport
    one_by_one: dict[int, int]  # caller -> what its Pays would have cost in fees charged one by one


def dashboard(conn: Connection, schedule: FeeSchedule) -> Dashboard:
    with orm(conn) as s:
        callers = s.scalars(select(Account).where(Account.access_key.is_not(None)).order_by(Account.id)).all()
        owed = {pk: (int(bal), int(debt)) for pk, bal, debt in conn.execute(
            select(Instrument.recipient_id, func.sum(Instrument.balance_cents), func.sum(Instrument.debt_cents))
            .group_by(Instrument.recipient_id))}
        figures = rollups.caller_figures(conn)
        amounts = history_rollups.pay_amounts(conn)
        return Dashboard(
            callers=callers, owed=owed, summaries={c.id: rollups.summary(figures.get(c.id, {})) for c in callers},
            pending=conn.execute(select(func.count()).select_from(FpsTransaction)
                                 .where(FpsTransaction.status == Status.PENDING)).scalar(),
            recent=newest(s, 10), latest={c.id: newest(s, 3, caller_id=c.id) for c in callers},
            books=quick_check(conn),
            one_by_one={c.id: one_by_one(schedule, amounts.get(c.id, []))[2] for c in callers})
