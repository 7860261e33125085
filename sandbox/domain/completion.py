"""Completing money movements: Pending → Success or Failure (fps-spec.md §5).

FundPrepaid and SettleDebt are recorded first and completed here: at once for an Amazon Payments
balance (ABT), after the configured delay for a card or bank account. Completion is the only place
where funding and settlement money moves, so the immediate and the delayed path are the same code.
A forced failure (domain/outcomes.py) completes as Failure with its StatusCode; Cancel ends a
Pending transaction before it completes. Every change is kept as StatusHistory.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select, update

from ..models import Account, FpsTransaction, Instrument, StatusHistory
from . import errors, kinds, ledger, notifications, transactions
from .call import Call
from .fees import FeeQuote
from .ledger import Transfer
from .money import display
from .outcomes import Forced
from .policy import Policy
from .statuses import PENDING_SQL, Status, StatusCode, status_message

_TXN = FpsTransaction.__table__
# Built once: every API call runs it (see bench/); it reads ix_fps_transaction_pending_due only.
_DUE = (select(_TXN.c.id).where(_TXN.c.status == PENDING_SQL, _TXN.c.due_at <= bindparam("now"))
        .order_by(_TXN.c.due_at, _TXN.c.id).limit(100))


def start(call: Call, forced: Forced | None, **values) -> transactions.TxnResult:
    """Record a funding or settlement and complete it now (ABT, or no delay configured) or when due.

    A forced outcome (domain/outcomes.py) ends it as a Failure with that StatusCode, after Pending
    first when it says so.
    """
    policy = call.policy
    outcome = forced.outcome if forced else None
    synchronous = (values["payment_method"] == "ABT" or not policy.pending_delay) and not (forced and forced.pending)
    txn_id = call.ids.transaction_id()
    pk = transactions.record(
        call.conn, now=call.now, transaction_id=txn_id, status=Status.PENDING, status_code=StatusCode.PENDING,
        history=not synchronous, due_at=call.now + policy.pending_delay, outcome=outcome,
        **transactions.of_call(call), **values)
    if not synchronous:
        return transactions.TxnResult(txn_id, Status.PENDING)
    finish(call.conn, pk, call.now, policy)
    return transactions.TxnResult(txn_id, Status.SUCCESS if outcome in (None, StatusCode.SUCCESS) else Status.FAILURE)


def _history(conn: Connection, txn, now: datetime, status: str, code: str, url: str | None = None) -> None:
    conn.execute(update(FpsTransaction).where(FpsTransaction.id == txn.id).values(
        status=status, status_code=code, status_message=status_message(code), date_completed=now, due_at=None))
    conn.execute(insert(StatusHistory).values(transaction_pk=txn.id, date=now, status=status, status_code=code,
                                              amount_cents=txn.amount_cents))
    notifications.enqueue(conn, caller_id=txn.caller_id, now=now, transaction_pk=txn.id, status=status,
                          status_code=code, url=url or txn.override_ipn_url)


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
    txn = conn.execute(select(_TXN).where(_TXN.c.id == pk, _TXN.c.status == Status.PENDING).with_for_update()).first()
    if txn is None:
        return 0
    if txn.outcome not in (None, StatusCode.SUCCESS):
        _release(conn, txn)
        _history(conn, txn, now, Status.FAILURE, txn.outcome)
        return 1
    inst = conn.execute(select(Instrument.__table__).where(Instrument.id == txn.instrument_pk)
                        .with_for_update()).one()
    rule = policy.fees.quote(txn.operation, txn.payment_method, txn.amount_cents).rule
    moves = _move_money(conn, inst, FeeQuote(txn.amount_cents, txn.fee_cents, txn.amount_cents - txn.fee_cents,
                                             txn.fees_paid_by, rule))
    moves.append(kinds.of(inst.kind).collected(conn, inst, txn.amount_cents))
    ledger.post(conn, txn.transaction_id, moves, now, txn.id)
    _history(conn, txn, now, Status.SUCCESS, StatusCode.SUCCESS)
    return 1


def _move_money(conn: Connection, inst, quote: FeeQuote) -> list[Transfer]:
    """The buyer's chosen method pays the gross amount into clearing; the recipient's Amazon Payments
    balance receives it less the fee, which goes to fee revenue. Cards and bank accounts always pay
    in the sandbox; an Amazon Payments balance (ABT) must cover the amount. Answers the transfers."""
    for account_id in sorted({inst.sender_id, inst.recipient_id}):  # lock order: by id
        conn.execute(select(Account.id).where(Account.id == account_id).with_for_update())
    if inst.payment_method == "ABT":
        charged = conn.execute(
            update(Account).where(Account.id == inst.sender_id, Account.balance_cents >= quote.gross_cents)
            .values(balance_cents=Account.balance_cents - quote.gross_cents)).rowcount
        if charged != 1:
            raise errors.InsufficientBalance(
                "The transaction exceeds the account/instrument limits. The buyer's Amazon Payments "
                f"balance is less than {display(quote.gross_cents)}.")
    conn.execute(update(Account).where(Account.id == inst.recipient_id)
                 .values(balance_cents=Account.balance_cents + quote.net_cents))
    source = ledger.funding_book(inst.payment_method, inst.payment_method_id, inst.sender_id)
    moves = [
        Transfer(source, ledger.CLEARING, quote.gross_cents, f"buyer pays by {inst.payment_method}"),
        Transfer(ledger.CLEARING, ledger.balance_book(inst.recipient_id), quote.net_cents, "recipient receives net"),
        Transfer(ledger.CLEARING, ledger.FEE_REVENUE, quote.fee_cents, f"FPS fee ({quote.rule})"),
    ]
    return [m for m in moves if m.cents]


def _release(conn: Connection, txn) -> None:
    """Undo what a Pending transaction reserved."""
    kind = kinds.BY_COLLECT_OPERATION.get(txn.operation)
    if kind is not None:
        kind.release(conn, txn.instrument_pk)


def cancel(call: Call, transaction_id: str) -> transactions.TxnResult:
    """Cancel: end a Pending transaction of the caller's before it completes; its notification goes to
    the call's OverrideIPNURL, if it has one."""
    conn, caller = call.conn, call.caller
    transactions.check_transaction_id(transaction_id)
    txn = conn.execute(select(_TXN).where(_TXN.c.transaction_id == transaction_id).with_for_update()).first()
    if txn is None or caller.id not in (txn.caller_id, txn.recipient_id):
        raise errors.InvalidTransactionId(transaction_id=transaction_id)
    if txn.status == Status.CANCELLED:
        return transactions.TxnResult(transaction_id, Status.CANCELLED)
    if txn.status != Status.PENDING:
        raise errors.InvalidTransactionState(
            f"The transaction {transaction_id} is {txn.status}: only a Pending transaction can be cancelled.")
    _release(conn, txn)
    _history(conn, txn, call.now, Status.CANCELLED, StatusCode.CANCELED, url=call.override_ipn_url)
    return transactions.TxnResult(transaction_id, Status.CANCELLED)
