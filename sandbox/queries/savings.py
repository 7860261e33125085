"""Fees saved on this sandbox: what each caller's Pays would have cost as payments of their own, against
what its fundings and settlements did cost (the fee lab's last table)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from ..domain.fee_lab import movement_fee
from ..domain.fees import FeeSchedule
from ..domain.statuses import Operation, Status
from ..models import Account, FpsTransaction, Instrument


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


def saved(conn: Connection, schedule: FeeSchedule) -> list[Saved]:
    """Per caller; Pays grouped by amount and method, so a million Pays are a few hundred groups."""
    names = dict(conn.execute(select(Account.id, Account.name).where(Account.access_key.is_not(None))).all())
    out = {pk: Saved(name, 0, 0, 0, 0) for pk, name in names.items()}
    pays = conn.execute(
        select(FpsTransaction.caller_id, Instrument.payment_method, FpsTransaction.amount_cents, func.count())
        .join(Instrument, Instrument.id == FpsTransaction.instrument_pk)
        .where(FpsTransaction.operation == Operation.PAY, FpsTransaction.status == Status.SUCCESS)
        .group_by(FpsTransaction.caller_id, Instrument.payment_method, FpsTransaction.amount_cents)).all()
    for caller_id, method, amount, count in pays:
        row = out.setdefault(caller_id, Saved(f"#{caller_id}", 0, 0, 0, 0))
        row.pays += count
        row.paid_cents += amount * count
        row.one_by_one_fee_cents += movement_fee(schedule, method, amount) * count
    fees = conn.execute(
        select(FpsTransaction.caller_id, func.coalesce(func.sum(FpsTransaction.fee_cents), 0))
        .where(FpsTransaction.operation.in_(Operation.COLLECTING), FpsTransaction.status == Status.SUCCESS)
        .group_by(FpsTransaction.caller_id)).all()
    for caller_id, fee in fees:
        out.setdefault(caller_id, Saved(f"#{caller_id}", 0, 0, 0, 0)).actual_fee_cents = int(fee)
    return list(out.values())
