"""Credit (postpaid) instruments, like a tab: installed by SetupPostpaid, charged by Pay, settled by
SettleDebt or forgiven by WriteOffDebt (fps-spec.md §3.4, §4.4, §7.2).

A credit Pay adds debt up to the credit limit (and the globalAmountLimit over the instrument's
life); no money moves and no fee is charged. SettleDebt collects real money from the buyer's
settlement method, fee deducted from what the recipient receives, and lowers the debt by the full
amount. WriteOffDebt forgives debt; no money moves.

Ledger: the debt is the recipient's receivable (book receivable:<instrument>), balanced by
credit_sales:<recipient>; settling moves the receivable back, writing off expenses it to
written_off:<recipient>.
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, func, select, update

from ..models import FpsTransaction, Instrument
from . import errors, ledger, tokens, transactions
from .call import Call
from .instrument_kind import Authorization, InstrumentKind
from .ledger import Transfer
from .money import display
from .statuses import Operation, Status
from .tokens import Limit

_INSTRUMENTS = Instrument.__table__
_ADD_DEBT = (
    update(_INSTRUMENTS)
    .where(_INSTRUMENTS.c.id == bindparam("pk"),
           _INSTRUMENTS.c.debt_cents + bindparam("amount") <= _INSTRUMENTS.c.limit_cents)
    .values(debt_cents=_INSTRUMENTS.c.debt_cents + bindparam("amount"))
)


class Credit(InstrumentKind):
    name, pipeline, instrument_param, word = "Credit", "SetupPostpaid", "CreditInstrumentId", "credit"
    sender_role, pay_method = "CreditSender", "Debt"
    collect_role, collect_token_name, collect_operation = "Settlement", "settlementTokenID", Operation.SETTLE_DEBT
    collect_amount_param, collect_expires, held = "SettlementAmount", False, "debt_cents"  # owed after expiry too
    returned = {"": "creditInstrumentID", "CreditSender": "creditSenderTokenID", "Settlement": "settlementTokenID"}

    def authorization(self, values: dict, payment_method: str, payment_method_id: int | None) -> Authorization:
        return Authorization(
            references={"Settlement": values["callerReferenceSettlement"],
                        "CreditSender": values["callerReferenceSender"]},
            limit_cents=values["creditLimit"], global_limit_cents=values["globalAmountLimit"],
            currency=values["currencyCode"], payment_method=payment_method, payment_method_id=payment_method_id,
            payment_reason=values.get("paymentReason"), validity_start=values["validityStart"],
            validity_expiry=values.get("validityExpiry"),
            usage_limits=tuple(Limit(**limit) for limit in values["usageLimits"]))

    def terms(self, values: dict) -> dict:
        limit = display(values["creditLimit"])
        terms = [("Credit limit", limit), ("Total limit", display(values["globalAmountLimit"]))]
        terms += [(f"Usage limit {n}", Limit(**u).describe()) for n, u in enumerate(values["usageLimits"], start=1)]
        return {"headline": f"open a tab of up to {limit}, paid later", "title": "Confirm your tab",
                "method_note": "will settle what you owe with the method you choose", "terms": terms,
                "consent": f"let you run up to {limit} of purchases on this tab and settle it later from your "
                           "payment method, as often as needed"}

    def pay(self, call: Call, token, amount_cents: int) -> Transfer:
        """Add to the debt, within the globalAmountLimit, the token's usage limits and the credit limit."""
        conn = call.conn
        if token.global_limit_cents is not None:
            charged = conn.execute(select(func.coalesce(func.sum(FpsTransaction.amount_cents), 0)).where(
                FpsTransaction.instrument_pk == token.instrument_pk, FpsTransaction.operation == Operation.PAY,
                FpsTransaction.status == Status.SUCCESS)).scalar_one()
            if charged + amount_cents > token.global_limit_cents:
                raise errors.InsufficientBalance(
                    "The transaction exceeds the account/instrument limits. The globalAmountLimit of "
                    f"{display(token.global_limit_cents)} allows {display(token.global_limit_cents - charged)} more.")
        tokens.check_usage(conn, token, amount_cents, call.now)
        if conn.execute(_ADD_DEBT, {"pk": token.instrument_pk, "amount": amount_cents}).rowcount != 1:
            raise errors.InsufficientBalance(
                "The transaction exceeds the account/instrument limits. The credit limit is "
                f"{display(token.limit_cents)} and the debt is {display(token.debt_cents)}.")
        return Transfer(ledger.credit_sales_book(token.recipient_id), ledger.receivable_book(token.instrument_pk),
                        amount_cents, "charged on credit: the buyer owes it")

    def check_collect(self, conn: Connection, inst, amount_cents: int) -> None:
        check_debt(conn, inst, amount_cents, self.collect_amount_param)

    def collected(self, conn: Connection, inst, amount_cents: int) -> Transfer:
        _lower_debt(conn, inst, amount_cents)
        return Transfer(ledger.receivable_book(inst.id), ledger.credit_sales_book(inst.recipient_id), amount_cents,
                        "debt settled")

    def reverse(self, conn: Connection, inst, amount_cents: int) -> Transfer:
        """Take the debt back; debt already settled or written off cannot be."""
        available = open_debt(conn, inst)
        if amount_cents > available:
            raise errors.RefundAmountExceeded(
                f"RefundAmount {display(amount_cents)} is more than the open debt of {display(available)}: debt "
                "already settled or written off cannot be reversed.")
        _lower_debt(conn, inst, amount_cents)
        return Transfer(ledger.receivable_book(inst.id), ledger.credit_sales_book(inst.recipient_id), amount_cents,
                        "reversal: debt reduced")

    def check_books(self, instruments: list, books: dict[str, int]) -> list[str]:
        """Each debt against its receivable book, and within the credit limit."""
        problems = []
        for inst in instruments:
            receivable = int(books.get(ledger.receivable_book(inst.id), 0))
            if receivable != inst.debt_cents:
                problems.append(f"credit instrument {inst.id}: debt {inst.debt_cents} but its receivable book says "
                                f"{receivable}")
            if not 0 <= inst.debt_cents <= inst.limit_cents:
                problems.append(f"credit instrument {inst.id}: debt {inst.debt_cents} outside 0..{inst.limit_cents}")
        return problems

    def book(self, instrument_pk: int) -> str:
        return ledger.receivable_book(instrument_pk)


CREDIT = Credit()


def _lower_debt(conn: Connection, inst, amount_cents: int) -> None:
    """Take `amount_cents` off the debt (settled, reversed or written off)."""
    conn.execute(update(Instrument).where(Instrument.id == inst.id).values(debt_cents=Instrument.debt_cents - amount_cents))


def open_debt(conn: Connection, inst) -> int:
    """The debt not already being settled by a Pending SettleDebt."""
    return inst.debt_cents - transactions.pending_amount(conn, Operation.SETTLE_DEBT, instrument_pk=inst.id)


def check_debt(conn: Connection, inst, amount_cents: int, name: str) -> None:
    """SettleAmountGreaterThanDebt when `amount_cents` is more than the open debt."""
    available = open_debt(conn, inst)
    if amount_cents > available:
        pending = " not already being settled" if available != inst.debt_cents else ""
        raise errors.SettleAmountGreaterThanDebt(
            f"{name} {display(amount_cents)} is greater than the debt{pending} of {display(available)} on "
            f"credit instrument {inst.instrument_id}.")


def write_off(call: Call, instrument_id: str, amount_cents: int) -> transactions.TxnResult:
    """WriteOffDebt: forgive part or all of the debt; no money moves, no fee, not reversible."""
    call.policy.check_amount(amount_cents, "AdjustmentAmount")
    done = transactions.replay(call)
    if done:
        return done
    inst = tokens.instrument(call.conn, call.caller, instrument_id, CREDIT)
    check_debt(call.conn, inst, amount_cents, "AdjustmentAmount")
    _lower_debt(call.conn, inst, amount_cents)
    forgiven = Transfer(ledger.receivable_book(inst.id), ledger.written_off_book(inst.recipient_id), amount_cents,
                        "debt written off (an expense of the recipient)")
    return transactions.book(
        call, [forgiven], operation=Operation.WRITE_OFF_DEBT, payment_method=CREDIT.pay_method,
        sender_id=inst.sender_id, recipient_id=inst.recipient_id, instrument_pk=inst.id, amount_cents=amount_cents)
