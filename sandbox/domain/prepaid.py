"""Prepaid instruments, like gift cards: installed by SetupPrepaid, funded once by FundPrepaid, spent by Pay.

fps-spec.md §3.3, §4.4 and §7.1: funding charges the buyer and credits the recipient less the
fee, while the buyer's prepaid balance gets the full amount; a prepaid Pay moves no money and
carries no fee; Aggregated Payments does not support recharging an instrument.

Ledger: the stored value is the book prepaid:<instrument>, owed by the recipient
(prepaid_liability:<recipient>).
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, exists, update

from ..models import Instrument, Token
from . import driver_sql, errors, ledger
from .call import Call
from .instrument_kind import Authorization, InstrumentKind
from .ledger import Transfer
from .linked_rows import Guard
from .money import display
from .statuses import Operation, TokenStatus

_INSTRUMENTS, _TOKENS = Instrument.__table__, Token.__table__
_DRAW_DOWN = (
    update(_INSTRUMENTS)
    .where(_INSTRUMENTS.c.id == bindparam("pk"), _INSTRUMENTS.c.balance_cents >= bindparam("amount"))
    .values(balance_cents=_INSTRUMENTS.c.balance_cents - bindparam("amount"))
)
_GUARDED_DRAW_DOWN = (  # PostgreSQL: a Pay's guard (linked_rows.Guard): what was read ahead, checked again
    update(_INSTRUMENTS)
    .where(_INSTRUMENTS.c.id == bindparam("g_pk"), _INSTRUMENTS.c.balance_cents >= bindparam("g_amount"),
           exists().where(_TOKENS.c.id == bindparam("g_token_pk"), _TOKENS.c.status == TokenStatus.ACTIVE))
    .values(balance_cents=_INSTRUMENTS.c.balance_cents - bindparam("g_amount"))
    .returning(_INSTRUMENTS.c.id)
)


class Prepaid(InstrumentKind):
    name, pipeline, instrument_param, word = "Prepaid", "SetupPrepaid", "PrepaidInstrumentId", "prepaid"
    sender_role, pay_method = "PrepaidSender", "Prepaid"
    collect_role, collect_token_name, collect_operation = "Funding", "fundingTokenID", Operation.FUND_PREPAID
    collect_amount_param, collect_expires, held = "FundingAmount", True, "balance_cents"
    returned = {"": "prepaidInstrumentID", "Funding": "fundingTokenID", "PrepaidSender": "prepaidSenderTokenID"}

    def authorization(self, values: dict, payment_method: str, payment_method_id: int | None) -> Authorization:
        return Authorization(
            references={"Funding": values["callerReferenceFunding"], "PrepaidSender": values["callerReferenceSender"]},
            limit_cents=values["fundingAmount"], currency=values["currencyCode"], payment_method=payment_method,
            payment_method_id=payment_method_id, payment_reason=values.get("paymentReason"),
            validity_start=values["validityStart"], validity_expiry=values.get("validityExpiry"))

    def terms(self, values: dict) -> dict:
        amount = display(values["fundingAmount"])
        return {"headline": f"set up a prepaid balance of {amount}", "title": "Confirm your prepaid balance",
                "method_note": f"will charge the method you choose once, for up to {amount}",
                "terms": [("Prepaid amount", amount)],
                "consent": "charge your payment method once for this amount, and then spend the prepaid balance "
                           "on your purchases without asking again"}

    def pay(self, call: Call, token, amount_cents: int) -> Transfer:
        """Draw the prepaid balance down."""
        if driver_sql.execute(call.conn, _DRAW_DOWN, {"pk": token.instrument_pk, "amount": amount_cents}) != 1:
            raise _insufficient(token)
        return _spent(token, amount_cents)

    def guarded_pay(self, conn: Connection, token, amount_cents: int) -> tuple[Transfer, Guard] | None:
        """PostgreSQL: the draw-down as the guard of the Pay's one statement (the balance still enough, the
        token still active: a concurrent Pay or cancellation makes it match nothing, and the Pay is done the
        locked way). SQLite (no data-modifying CTEs, and a statement costs it no round trip): None."""
        if conn.dialect.name != "postgresql":
            return None
        if token.balance_cents < amount_cents:
            raise _insufficient(token)
        return _spent(token, amount_cents), Guard(_GUARDED_DRAW_DOWN, {
            "g_pk": token.instrument_pk, "g_amount": amount_cents, "g_token_pk": token.id})

    def check_collect(self, conn: Connection, inst, amount_cents: int) -> None:
        """Funded once only, and with no more than the buyer authorized."""
        if inst.funded_cents > 0:
            raise errors.PrepaidFundingLimitExceeded(
                f"The prepaid instrument {inst.instrument_id} was already funded with "
                f"{display(inst.funded_cents)}; Aggregated Payments does not support recharging an instrument.")
        if amount_cents > inst.limit_cents:
            raise errors.PrepaidFundingLimitExceeded(
                f"FundingAmount {display(amount_cents)} exceeds the fundingAmount of "
                f"{display(inst.limit_cents)} the buyer authorized for {inst.instrument_id}.")

    def reserve(self, conn: Connection, inst, amount_cents: int) -> None:
        conn.execute(update(Instrument).where(Instrument.id == inst.id).values(funded_cents=amount_cents))

    def release(self, conn: Connection, instrument_pk: int) -> None:
        """A funding that did not happen may be tried again."""
        conn.execute(update(Instrument).where(Instrument.id == instrument_pk).values(funded_cents=0))

    def collected(self, conn: Connection, inst, amount_cents: int) -> Transfer:
        return _credit(conn, inst, amount_cents, "prepaid value issued to the buyer")

    def reverse(self, conn: Connection, inst, amount_cents: int) -> Transfer:
        return _credit(conn, inst, amount_cents, "reversal: prepaid balance restored")

    def check_books(self, instruments: list, books: dict[str, int]) -> list[str]:
        """Each balance against its book; each recipient's liability against its instruments."""
        problems: list[str] = []
        liability: dict[int, int] = {}
        for inst in instruments:
            derived = int(books.get(ledger.prepaid_book(inst.id), 0))
            if derived != inst.balance_cents:
                problems.append(f"prepaid instrument {inst.id}: balance {inst.balance_cents} but ledger says {derived}")
            if inst.balance_cents < 0:
                problems.append(f"prepaid instrument {inst.id}: negative balance {inst.balance_cents}")
            liability[inst.recipient_id] = liability.get(inst.recipient_id, 0) + inst.balance_cents
        for book, total in books.items():
            recipient = ledger.recipient_of_liability(book)
            if recipient is not None and -int(total) != liability.get(recipient, 0):
                problems.append(f"{book}: liability {-int(total)} but its instruments hold {liability.get(recipient, 0)}")
        return problems

    def book(self, instrument_pk: int) -> str:
        return ledger.prepaid_book(instrument_pk)


PREPAID = Prepaid()


def _insufficient(token) -> errors.FpsError:
    return errors.InsufficientBalance("The transaction exceeds the account/instrument limits. The prepaid balance "
                                      f"is {display(token.balance_cents)}.")


def _spent(token, amount_cents: int) -> Transfer:
    return Transfer(ledger.prepaid_book(token.instrument_pk), ledger.prepaid_liability_book(token.recipient_id),
                    amount_cents, "prepaid balance spent")


def _credit(conn: Connection, inst, amount_cents: int, memo: str) -> Transfer:
    """Add to the prepaid balance, owed by its recipient (a funding completed, a Pay reversed)."""
    conn.execute(update(Instrument).where(Instrument.id == inst.id)
                 .values(balance_cents=Instrument.balance_cents + amount_cents))
    return Transfer(ledger.prepaid_liability_book(inst.recipient_id), ledger.prepaid_book(inst.id), amount_cents, memo)
