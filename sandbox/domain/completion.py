"""Completing money movements: Pending → Success or Failure (fps-spec.md §5).

FundPrepaid and SettleDebt are recorded first and completed here: at once for an Amazon Payments
balance (ABT), after the configured delay for a card or bank account. Completion is the only place
where funding and settlement money moves, so the immediate and the delayed path are the same code.
A forced failure (domain/outcomes.py) completes as Failure with its StatusCode; Cancel ends a
Pending transaction before it completes. Every change is kept as StatusHistory.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, func, insert, select, update

from ..models import FpsTransaction, Instrument, StatusHistory
from . import errors, ledger, notifications, transactions
from .accounts import Party
from .collect import collect
from .fees import FeeQuote
from .ids import IdGenerator
from .ledger import Transfer
from .outcomes import Forced
from .policy import Policy
from .statuses import status_message

_TXN = FpsTransaction.__table__
# Built once: every API call runs it (see bench/); it reads ix_fps_transaction_pending_due only.
_DUE = (select(_TXN.c.id).where(_TXN.c.status == "Pending", _TXN.c.due_at <= bindparam("now"))
        .order_by(_TXN.c.due_at, _TXN.c.id).limit(100))


def start(conn: Connection, *, ids: IdGenerator, now: datetime, policy: Policy, forced: Forced | None = None,
          **values) -> transactions.TxnResult:
    """Record a funding or settlement and complete it now (ABT, or no delay configured) or when due.

    A forced outcome (domain/outcomes.py) ends it as a Failure with that StatusCode, after Pending
    first when it says so.
    """
    outcome = forced.outcome if forced else None
    synchronous = (values["payment_method"] == "ABT" or not policy.pending_delay) and not (forced and forced.pending)
    txn_id = ids.transaction_id()
    pk = transactions.record(conn, now=now, transaction_id=txn_id, status="Pending",
                             status_code="PendingNetworkResponse", history=not synchronous,
                             due_at=now + policy.pending_delay, outcome=outcome, **values)
    if not synchronous:
        return transactions.TxnResult(txn_id, "Pending")
    finish(conn, pk, now, policy)
    return transactions.TxnResult(txn_id, "Success" if outcome in (None, "Success") else "Failure")


def _history(conn: Connection, txn, now: datetime, status: str, code: str) -> None:
    conn.execute(update(FpsTransaction).where(FpsTransaction.id == txn.id).values(
        status=status, status_code=code, status_message=status_message(code), date_completed=now, due_at=None))
    conn.execute(insert(StatusHistory).values(transaction_pk=txn.id, date=now, status=status, status_code=code,
                                              amount_cents=txn.amount_cents))
    notifications.enqueue(conn, caller_id=txn.caller_id, now=now, transaction_pk=txn.id, status=status,
                          status_code=code, url=txn.override_ipn_url)


def due(conn: Connection, now: datetime) -> list[int]:
    """Pending transactions whose time has come, oldest first."""
    return list(conn.execute(_DUE, {"now": now}).scalars())


def complete_due(conn: Connection, now: datetime, policy: Policy) -> int:
    """Complete every due Pending transaction; answers how many."""
    done = 0
    for pk in due(conn, now):
        done += finish(conn, pk, now, policy)
    return done


def finish(conn: Connection, pk: int, now: datetime, policy: Policy) -> int:
    """Complete one Pending transaction as its planned outcome says; 0 if it was no longer Pending."""
    txn = conn.execute(select(_TXN).where(_TXN.c.id == pk, _TXN.c.status == "Pending").with_for_update()).first()
    if txn is None:
        return 0
    if txn.outcome not in (None, "Success"):
        _release(conn, txn)
        _history(conn, txn, now, "Failure", txn.outcome)
        return 1
    inst = conn.execute(select(Instrument.__table__).where(Instrument.id == txn.instrument_pk)
                        .with_for_update()).one()
    rule = policy.fees.quote(txn.operation, txn.payment_method, txn.amount_cents).rule
    moves = collect(conn, inst, FeeQuote(txn.amount_cents, txn.fee_cents, txn.amount_cents - txn.fee_cents,
                                         txn.fees_paid_by, rule))
    if txn.operation == "FundPrepaid":
        conn.execute(update(Instrument).where(Instrument.id == inst.id)
                     .values(balance_cents=Instrument.balance_cents + txn.amount_cents))
        moves.append(Transfer(ledger.prepaid_liability_book(inst.recipient_id), ledger.prepaid_book(inst.id),
                              txn.amount_cents, "prepaid value issued to the buyer"))
    else:  # SettleDebt
        conn.execute(update(Instrument).where(Instrument.id == inst.id)
                     .values(debt_cents=Instrument.debt_cents - txn.amount_cents))
        moves.append(Transfer(ledger.receivable_book(inst.id), ledger.credit_sales_book(inst.recipient_id),
                              txn.amount_cents, "debt settled"))
    ledger.post(conn, txn.transaction_id, moves, now, txn.id)
    _history(conn, txn, now, "Success", "Success")
    return 1


def _release(conn: Connection, txn) -> None:
    """Undo what a Pending transaction reserved: a funding that did not happen may be tried again."""
    if txn.operation == "FundPrepaid":
        conn.execute(update(Instrument).where(Instrument.id == txn.instrument_pk).values(funded_cents=0))


def pending_amount(conn: Connection, operation: str, *, instrument_pk: int | None = None,
                   recipient_id: int | None = None) -> int:
    """Cents of `operation` still Pending on an instrument, or for a recipient."""
    query = select(func.coalesce(func.sum(_TXN.c.amount_cents), 0)).where(
        _TXN.c.status == "Pending", _TXN.c.operation == operation)
    if instrument_pk is not None:
        query = query.where(_TXN.c.instrument_pk == instrument_pk)
    if recipient_id is not None:
        query = query.where(_TXN.c.recipient_id == recipient_id)
    return int(conn.execute(query).scalar_one())


def cancel(conn: Connection, caller: Party, transaction_id: str, now: datetime) -> transactions.TxnResult:
    """Cancel: end a Pending transaction of the caller's before it completes."""
    transactions.check_transaction_id(transaction_id)
    txn = conn.execute(select(_TXN).where(_TXN.c.transaction_id == transaction_id).with_for_update()).first()
    if txn is None or caller.id not in (txn.caller_id, txn.recipient_id):
        raise errors.InvalidTransactionId(transaction_id=transaction_id)
    if txn.status == "Cancelled":
        return transactions.TxnResult(transaction_id, "Cancelled")
    if txn.status != "Pending":
        raise errors.InvalidTransactionState(
            f"The transaction {transaction_id} is {txn.status}: only a Pending transaction can be cancelled.")
    _release(conn, txn)
    _history(conn, txn, now, "Cancelled", "Canceled")
    return transactions.TxnResult(transaction_id, "Cancelled")
