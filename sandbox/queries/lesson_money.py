"""The money a lesson's step changed, for the class to see: the buyer's balance, the merchant's balance, the
buyer's prepaid balance or debt, the fees paid, and the ledger lines a transaction posted."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from ..domain.statuses import Operation, Status
from ..models import Account, FpsTransaction, Instrument, LedgerEntry


def money(conn: Connection, caller_id: int, buyer_id: int, instrument_id: str | None) -> dict[str, int]:
    """Cents, by what a class calls them."""
    balances = dict(conn.execute(select(Account.id, Account.balance_cents)
                                 .where(Account.id.in_([caller_id, buyer_id]))).all())
    out = {"buyer_balance": balances.get(buyer_id, 0), "merchant_balance": balances.get(caller_id, 0)}
    if instrument_id:
        inst = conn.execute(select(Instrument.kind, Instrument.balance_cents, Instrument.debt_cents)
                            .where(Instrument.instrument_id == instrument_id)).first()
        if inst is not None and inst.kind == "Prepaid":
            out["prepaid_balance"] = inst.balance_cents
        elif inst is not None:
            out["debt"] = inst.debt_cents
    out["fees_paid"] = int(conn.execute(select(func.coalesce(func.sum(FpsTransaction.fee_cents), 0)).where(
        FpsTransaction.caller_id == caller_id, FpsTransaction.operation.in_(Operation.COLLECTING),
        FpsTransaction.status == Status.SUCCESS)).scalar_one())
    return out


def lines(conn: Connection, transaction_id: str) -> list[dict]:
    """The ledger lines a transaction posted, as plain values."""
    return [{"book": r.book, "amount_cents": r.amount_cents, "memo": r.memo} for r in conn.execute(
        select(LedgerEntry.book, LedgerEntry.amount_cents, LedgerEntry.memo).join(
            FpsTransaction, FpsTransaction.id == LedgerEntry.transaction_pk)
        .where(FpsTransaction.transaction_id == transaction_id).order_by(LedgerEntry.id)).all()]


def buyer_login(conn: Connection, buyer_id: int):
    """The lesson buyer's name and e-mail (the password is the demo world's, "sandbox")."""
    return conn.execute(select(Account.name, Account.email).where(Account.id == buyer_id)).first()
