"""Refund, as Aggregated Payments allows it (fps-spec.md §4.4, §7): only a Pay can be reversed.

Reversing a prepaid Pay restores the prepaid balance; reversing a debt Pay lowers the debt.
FundPrepaid, SettleDebt and WriteOffDebt are not refundable, nor is a refund. Several partial
refunds may add up to the original amount and no more. No fee was charged, so none is returned.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from ..models import FpsTransaction, Instrument
from . import errors, kinds, transactions
from .accounts import Party
from .call import Call
from .money import display
from .statuses import Operation, Status

NOT_REFUNDABLE = {
    Operation.FUND_PREPAID: "A FundPrepaid cannot be refunded: prepaid money is not returned to the buyer's payment "
                   "method; reverse the prepaid Pay transactions instead.",
    Operation.SETTLE_DEBT: "The Refund action does not support SettleDebt.",
    Operation.WRITE_OFF_DEBT: "A WriteOffDebt cannot be reversed.",
    Operation.REFUND: "A refund cannot be refunded.",
}


def refund(call: Call, *, transaction_id: str, amount_cents: int | None) -> transactions.TxnResult:
    """Reverse all (amount None: what is left) or part of one of the caller's Pay transactions."""
    if amount_cents is not None:
        call.policy.check_amount(amount_cents, "RefundAmount")
    done = transactions.replay(call)
    if done:
        return done
    original = _original(call.conn, call.caller, transaction_id)
    remaining = original.amount_cents - refunded(call.conn, original.id)
    if remaining == 0:
        raise errors.TransactionFullyRefundedAlready(
            f"The transaction {transaction_id} has already been completely refunded.")
    amount_cents = remaining if amount_cents is None else amount_cents
    if amount_cents > remaining:
        raise errors.RefundAmountExceeded(
            f"RefundAmount {display(amount_cents)} is more than the {display(remaining)} left to refund of "
            f"{transaction_id}.")
    inst = call.conn.execute(select(Instrument.__table__).where(Instrument.id == original.instrument_pk)
                             .with_for_update()).one()
    move = kinds.of(inst.kind).reverse(call.conn, inst, amount_cents)
    return transactions.book(
        call, [move], operation=Operation.REFUND, payment_method=original.payment_method,
        sender_id=original.sender_id, recipient_id=original.recipient_id, instrument_pk=original.instrument_pk,
        amount_cents=amount_cents, parent_pk=original.id)


def _original(conn: Connection, caller: Party, transaction_id: str):
    transactions.check_transaction_id(transaction_id)
    original = conn.execute(select(FpsTransaction.__table__)
                            .where(FpsTransaction.transaction_id == transaction_id).with_for_update()).first()
    if original is None or caller.id not in (original.caller_id, original.recipient_id):
        raise errors.InvalidTransactionId(transaction_id=transaction_id)
    if original.operation in NOT_REFUNDABLE:
        raise errors.TransactionTypeNotRefundable(NOT_REFUNDABLE[original.operation])
    if original.status == Status.PENDING:
        raise errors.OriginalTransactionIncomplete(f"The transaction {transaction_id} is still Pending.")
    if original.status == Status.FAILURE:
        raise errors.OriginalTransactionFailed(f"The transaction {transaction_id} failed; nothing to refund.")
    if original.status != Status.SUCCESS:
        raise errors.InvalidTransactionState(f"The transaction {transaction_id} is {original.status}.")
    return original


def refunded(conn: Connection, original_pk: int) -> int:
    """How much of a transaction its successful refunds have reversed, in cents."""
    return int(conn.execute(select(func.coalesce(func.sum(FpsTransaction.amount_cents), 0)).where(
        FpsTransaction.parent_pk == original_pk, FpsTransaction.operation == Operation.REFUND,
        FpsTransaction.status == Status.SUCCESS)).scalar_one())
