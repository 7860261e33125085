"""Postpaid credit instruments: install (SetupPostpaid), Pay on credit, SettleDebt, WriteOffDebt,
debt balances (fps-spec.md §3.4, §4.4, §7.2).

A credit Pay adds debt up to the credit limit (and the globalAmountLimit over the instrument's
life); no money moves and no fee is charged. SettleDebt collects real money from the buyer's
settlement method, fee deducted from what the recipient receives, and lowers the debt by the full
amount. WriteOffDebt forgives debt; no money moves.

Ledger: the debt is the recipient's receivable (book receivable:<instrument>), balanced by
credit_sales:<recipient>; settling moves the receivable back, writing off expenses it to
written_off:<recipient>.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, select, update

from ..models import FpsTransaction, Instrument
from . import completion, errors, ledger, outcomes, tokens, transactions
from .accounts import Party
from .ids import IdGenerator
from .ledger import Transfer
from .policy import Policy
from .tokens import Limit
from .money import display


@dataclass(frozen=True)
class PostpaidSetup:
    """What the buyer authorized on the SetupPostpaid pages."""

    caller_reference_sender: str
    caller_reference_settlement: str
    credit_limit_cents: int
    global_limit_cents: int
    currency: str
    payment_method: str  # how the debt is settled: ABT | ACH | CC
    payment_method_id: int | None
    payment_reason: str | None
    validity_start: datetime
    validity_expiry: datetime | None
    usage_limits: tuple[Limit, ...] = ()


@dataclass(frozen=True)
class InstalledPostpaid:
    """The three ids the return URL carries."""

    credit_instrument_id: str
    credit_sender_token_id: str
    settlement_token_id: str


def install(conn: Connection, caller: Party, buyer: Party, setup: PostpaidSetup, now: datetime, ids: IdGenerator):
    """Create the credit instrument (zero debt), its credit sender token and its settlement token."""
    installed = tokens.install(
        conn, caller, buyer, now=now, ids=ids,
        refs={setup.caller_reference_sender: "CreditSender", setup.caller_reference_settlement: "Settlement"},
        roles_methods={"CreditSender": "Debt", "Settlement": setup.payment_method},
        instrument=dict(kind="Credit", currency=setup.currency, limit_cents=setup.credit_limit_cents,
                        global_limit_cents=setup.global_limit_cents, payment_method=setup.payment_method,
                        payment_method_id=setup.payment_method_id, payment_reason=setup.payment_reason,
                        validity_start=setup.validity_start, validity_expiry=setup.validity_expiry),
        limits={"CreditSender": setup.usage_limits},
    )
    return InstalledPostpaid(installed.instrument_id, installed.token_ids["CreditSender"],
                             installed.token_ids["Settlement"])


_INSTRUMENTS = Instrument.__table__
_ADD_DEBT = (
    update(_INSTRUMENTS)
    .where(_INSTRUMENTS.c.id == bindparam("pk"),
           _INSTRUMENTS.c.debt_cents + bindparam("amount") <= _INSTRUMENTS.c.limit_cents)
    .values(debt_cents=_INSTRUMENTS.c.debt_cents + bindparam("amount"))
)


def charge(conn: Connection, caller: Party, token, *, amount_cents: int, caller_reference: str, digest: str,
           now: datetime, ids: IdGenerator, caller_description: str | None, sender_description: str | None):
    """Pay with a credit sender token: the debt grows; no money moves, no fee.

    `token` is the sender token's row joined with its locked instrument (see payments.pay).
    """
    tokens.check_usable(token, now, token.instrument_id)
    if token.instrument_recipient_id != caller.id:
        raise errors.InstrumentAccessDenied(instrument_id=token.instrument_id)
    if token.global_limit_cents is not None:
        charged = conn.execute(select(func.coalesce(func.sum(FpsTransaction.amount_cents), 0)).where(
            FpsTransaction.instrument_pk == token.instrument_pk, FpsTransaction.operation == "Pay",
            FpsTransaction.status == "Success")).scalar_one()
        if charged + amount_cents > token.global_limit_cents:
            raise errors.InsufficientBalance(
                "The transaction exceeds the account/instrument limits. The globalAmountLimit of "
                f"{display(token.global_limit_cents)} allows {display(token.global_limit_cents - charged)} more.")
    tokens.check_usage(conn, token, amount_cents, now)
    if conn.execute(_ADD_DEBT, {"pk": token.instrument_pk, "amount": amount_cents}).rowcount != 1:
        raise errors.InsufficientBalance(
            "The transaction exceeds the account/instrument limits. The credit limit is "
            f"{display(token.limit_cents)} and the debt is {display(token.debt_cents)}.")
    owed = Transfer(ledger.credit_sales_book(token.recipient_id), ledger.receivable_book(token.instrument_pk),
                    amount_cents, "charged on credit: the buyer owes it")
    return transactions.book(
        conn, ids=ids, now=now, moves=[owed], caller=caller, caller_reference=caller_reference, fingerprint=digest,
        operation="Pay", payment_method="Debt", sender_id=token.sender_id,
        recipient_id=token.recipient_id, instrument_pk=token.instrument_pk, sender_token_pk=token.id,
        amount_cents=amount_cents, caller_description=caller_description, sender_description=sender_description,
    )


def open_debt(conn: Connection, inst) -> int:
    """The debt not already being settled by a Pending SettleDebt."""
    return inst.debt_cents - completion.pending_amount(conn, "SettleDebt", instrument_pk=inst.id)


def _check_debt(conn: Connection, inst, amount_cents: int, name: str) -> None:
    available = open_debt(conn, inst)
    if amount_cents > available:
        pending = " not already being settled" if available != inst.debt_cents else ""
        raise errors.SettleAmountGreaterThanDebt(
            f"{name} {display(amount_cents)} is greater than the debt{pending} of {display(available)} on "
            f"credit instrument {inst.instrument_id}.")


def settle(conn: Connection, caller: Party, *, sender_token_id: str, instrument_id: str, amount_cents: int,
           caller_reference: str, digest: str, now: datetime, ids: IdGenerator, policy: Policy,
           caller_description: str | None = None, sender_description: str | None = None,
           forced: outcomes.Forced | None = None):
    """SettleDebt: charge the buyer's settlement method, credit the recipient less the fee, lower the debt.

    Completes now for ABT, after the configured delay for a card or bank account; meanwhile the
    amount is the instrument's PendingOutBalance. Settling stays possible after the instrument
    expired: the debt is still owed.
    """
    policy.check_amount(amount_cents, "SettlementAmount")
    done = transactions.replay(conn, caller.id, caller_reference, digest)
    if done:
        return done
    outcomes.check_special_tokens(sender_token_id)
    inst = tokens.instrument(conn, caller, instrument_id, "Credit")
    token = tokens.sender_token(conn, caller, sender_token_id, "Settlement", "SettleDebt", "settlementTokenID")
    if token.instrument_pk != inst.id:
        raise errors.IncompatibleTokens(
            f"The settlement token {sender_token_id} belongs to another credit instrument than {instrument_id}.")
    tokens.check_usable(token, now, instrument_id, enforce_expiry=False)
    _check_debt(conn, inst, amount_cents, "SettlementAmount")
    quote = policy.fees.quote("SettleDebt", inst.payment_method, amount_cents)
    if quote.net_cents <= 0:
        raise errors.InvalidParams("Transaction amount must be greater than Recipient Fee liability.")
    forced = forced or outcomes.amount_trigger(amount_cents, policy.amount_triggers)
    return completion.start(
        conn, ids=ids, now=now, policy=policy, forced=forced, caller_reference=caller_reference, fingerprint=digest,
        operation="SettleDebt", payment_method=inst.payment_method, caller_id=caller.id, sender_id=inst.sender_id,
        recipient_id=inst.recipient_id, instrument_pk=inst.id, sender_token_pk=token.id, amount_cents=amount_cents,
        fee_cents=quote.fee_cents, fees_paid_by=quote.paid_by, caller_description=caller_description,
        sender_description=sender_description,
    )


def write_off(conn: Connection, caller: Party, *, instrument_id: str, amount_cents: int, caller_reference: str,
              digest: str, now: datetime, ids: IdGenerator, policy: Policy, caller_description: str | None = None):
    """WriteOffDebt: forgive part or all of the debt; no money moves, no fee, not reversible."""
    policy.check_amount(amount_cents, "AdjustmentAmount")
    done = transactions.replay(conn, caller.id, caller_reference, digest)
    if done:
        return done
    inst = tokens.instrument(conn, caller, instrument_id, "Credit")
    _check_debt(conn, inst, amount_cents, "AdjustmentAmount")
    conn.execute(update(Instrument).where(Instrument.id == inst.id)
                 .values(debt_cents=Instrument.debt_cents - amount_cents))
    forgiven = Transfer(ledger.receivable_book(inst.id), ledger.written_off_book(inst.recipient_id), amount_cents,
                        "debt written off (an expense of the recipient)")
    return transactions.book(
        conn, ids=ids, now=now, moves=[forgiven], caller=caller, caller_reference=caller_reference, fingerprint=digest,
        operation="WriteOffDebt", payment_method="Debt", sender_id=inst.sender_id,
        recipient_id=inst.recipient_id, instrument_pk=inst.id, amount_cents=amount_cents,
        caller_description=caller_description,
    )


@dataclass(frozen=True)
class DebtBalance:
    available_cents: int
    pending_out_cents: int = 0


def debt_balance(conn: Connection, caller: Party, instrument_id: str) -> DebtBalance:
    """GetDebtBalance: only the instrument's sender or recipient may look."""
    row = tokens.instrument(conn, caller, instrument_id, "Credit", lock=False, sender_may_read=True)
    return DebtBalance(row.debt_cents, completion.pending_amount(conn, "SettleDebt", instrument_pk=row.id))


def outstanding(conn: Connection, caller: Party) -> DebtBalance:
    """GetOutstandingDebtBalance: the debt owed to the caller across its credit instruments."""
    total = conn.execute(select(func.coalesce(func.sum(Instrument.debt_cents), 0)).where(
        Instrument.kind == "Credit", Instrument.recipient_id == caller.id)).scalar_one()
    return DebtBalance(int(total), completion.pending_amount(conn, "SettleDebt", recipient_id=caller.id))
