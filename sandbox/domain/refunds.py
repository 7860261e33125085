"""Refund, as Aggregated Payments allows it (fps-spec.md §4.4, §7): only a Pay can be reversed.

Reversing a prepaid Pay restores the prepaid balance; reversing a debt Pay lowers the debt.
FundPrepaid, SettleDebt and WriteOffDebt are not refundable, nor is a refund. Several partial
refunds may add up to the original amount and no more. No fee was charged, so none is returned.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, select, update

from ..models import FpsTransaction, Instrument
from . import errors, ledger, postpaid, transactions
from .accounts import Party
from .ids import IdGenerator
from .ledger import Transfer
from .policy import Policy
from .money import display

NOT_REFUNDABLE = {
    "FundPrepaid": "A FundPrepaid cannot be refunded: prepaid money is not returned to the buyer's payment "
                   "method; reverse the prepaid Pay transactions instead.",
    "SettleDebt": "The Refund action does not support SettleDebt.",
    "WriteOffDebt": "A WriteOffDebt cannot be reversed.",
    "Refund": "A refund cannot be refunded.",
}


def refund(conn: Connection, caller: Party, *, transaction_id: str, amount_cents: int | None, caller_reference: str,
           digest: str, now: datetime, ids: IdGenerator, policy: Policy, caller_description: str | None = None):
    """Reverse all (amount None: what is left) or part of one of the caller's Pay transactions."""
    if amount_cents is not None:
        policy.check_amount(amount_cents, "RefundAmount")
    done = transactions.replay(conn, caller.id, caller_reference, digest)
    if done:
        return done
    original = _original(conn, caller, transaction_id)
    remaining = original.amount_cents - refunded(conn, original.id)
    if remaining == 0:
        raise errors.TransactionFullyRefundedAlready(
            f"The transaction {transaction_id} has already been completely refunded.")
    amount_cents = remaining if amount_cents is None else amount_cents
    if amount_cents > remaining:
        raise errors.RefundAmountExceeded(
            f"RefundAmount {display(amount_cents)} is more than the {display(remaining)} left to refund of "
            f"{transaction_id}.")
    move = _reverse(conn, original, amount_cents)
    return transactions.book(
        conn, ids=ids, now=now, moves=[move], caller=caller, caller_reference=caller_reference, fingerprint=digest,
        operation="Refund", payment_method=original.payment_method,
        sender_id=original.sender_id, recipient_id=original.recipient_id, instrument_pk=original.instrument_pk,
        amount_cents=amount_cents, caller_description=caller_description, parent_pk=original.id,
    )


def _original(conn: Connection, caller: Party, transaction_id: str):
    transactions.check_transaction_id(transaction_id)
    original = conn.execute(select(FpsTransaction.__table__)
                            .where(FpsTransaction.transaction_id == transaction_id).with_for_update()).first()
    if original is None or caller.id not in (original.caller_id, original.recipient_id):
        raise errors.InvalidTransactionId(transaction_id=transaction_id)
    if original.operation in NOT_REFUNDABLE:
        raise errors.TransactionTypeNotRefundable(NOT_REFUNDABLE[original.operation])
    if original.status == "Pending":
        raise errors.OriginalTransactionIncomplete(f"The transaction {transaction_id} is still Pending.")
    if original.status == "Failure":
        raise errors.OriginalTransactionFailed(f"The transaction {transaction_id} failed; nothing to refund.")
    if original.status != "Success":
        raise errors.InvalidTransactionState(f"The transaction {transaction_id} is {original.status}.")
    return original


def refunded(conn: Connection, original_pk: int) -> int:
    """How much of a transaction its successful refunds have reversed, in cents."""
    return int(conn.execute(select(func.coalesce(func.sum(FpsTransaction.amount_cents), 0)).where(
        FpsTransaction.parent_pk == original_pk, FpsTransaction.operation == "Refund",
        FpsTransaction.status == "Success")).scalar_one())


def _reverse(conn: Connection, original, amount_cents: int) -> Transfer:
    """Give the prepaid balance back, or take the debt back; answers the ledger transfer."""
    inst = conn.execute(select(Instrument.__table__).where(Instrument.id == original.instrument_pk)
                        .with_for_update()).one()
    if original.payment_method == "Prepaid":
        conn.execute(update(Instrument).where(Instrument.id == inst.id)
                     .values(balance_cents=Instrument.balance_cents + amount_cents))
        return Transfer(ledger.prepaid_liability_book(inst.recipient_id), ledger.prepaid_book(inst.id), amount_cents,
                        "reversal: prepaid balance restored")
    if amount_cents > postpaid.open_debt(conn, inst):
        raise errors.RefundAmountExceeded(
            f"RefundAmount {display(amount_cents)} is more than the open debt of "
            f"{display(postpaid.open_debt(conn, inst))}: debt already settled or written off cannot be reversed.")
    conn.execute(update(Instrument).where(Instrument.id == inst.id)
                 .values(debt_cents=Instrument.debt_cents - amount_cents))
    return Transfer(ledger.receivable_book(inst.id), ledger.credit_sales_book(inst.recipient_id), amount_cents,
                    "reversal: debt reduced")
