"""Fees saved on this sandbox: what each caller's Pays would have cost as payments of their own, against
what its fundings and settlements did cost. Read from the running totals (domain/history_rollups.py,
rollups.py), so it stays quick at a million Pays."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from ..domain import history_rollups, rollups
from ..domain.fee_lab import movement_fee
from ..domain.fees import FeeSchedule
from ..domain.statuses import Operation, Status
from ..models import Account


@dataclass
class Saved:
    caller: str
    pays: int
    paid_cents: int
    one_by_one_fee_cents: int  # the Pays charged one by one, each from its instrument's payment method
    actual_fee_cents: int  # what the fundings and settlements were charged

    @property
    def saved_cents(self) -> int:
        return self.one_by_one_fee_cents - self.actual_fee_cents


def one_by_one(schedule: FeeSchedule, amounts: list[tuple[str, int, int]]) -> tuple[int, int, int]:
    """(Pays, their gross, their fees charged one by one) from (method, amount, count) groups."""
    pays = sum(count for _, _, count in amounts)
    gross = sum(amount * count for _, amount, count in amounts)
    fees = sum(movement_fee(schedule, method, amount) * count for method, amount, count in amounts)
    return pays, gross, fees


def saved(conn: Connection, schedule: FeeSchedule) -> list[Saved]:
    """Per caller, oldest first."""
    names = conn.execute(select(Account.id, Account.name).where(Account.access_key.is_not(None))
                         .order_by(Account.id)).all()
    amounts, figures = history_rollups.pay_amounts(conn), rollups.caller_figures(conn)
    out = []
    for pk, name in names:
        pays, gross, fees = one_by_one(schedule, amounts.get(pk, []))
        paid = sum(figures.get(pk, {}).get((op, Status.SUCCESS), rollups.Figures()).fee_cents
                   for op in Operation.COLLECTING)
        out.append(Saved(name, pays, gross, fees, paid))
    return out
