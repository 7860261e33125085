"""Prepaid instruments, like gift cards: installed by SetupPrepaid, funded once by FundPrepaid, spent by Pay.

fps-spec.md §3.3, §4.4 and §7.1: funding charges the buyer and credits the recipient less the
fee, while the buyer's prepaid balance gets the full amount; a prepaid Pay moves no money and
carries no fee; Aggregated Payments does not support recharging an instrument.

Ledger: the stored value is the book prepaid:<instrument>, owed by the recipient
(prepaid_liability:<recipient>).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, update

from ..models import Instrument, Token
from . import driver_sql, errors, ledger
from .call import Call
from .instrument_kind import TOKEN_WITH_INSTRUMENT, Authorization, InstrumentKind
from .ledger import Transfer
from .money import display
from .statuses import Operation

_INSTRUMENTS, _TOKENS = Instrument.__table__, Token.__table__
_DRAW_DOWN = (
    update(_INSTRUMENTS)
    .where(_INSTRUMENTS.c.id == bindparam("pk"), _INSTRUMENTS.c.balance_cents >= bindparam("amount"))
    .values(balance_cents=_INSTRUMENTS.c.balance_cents - bindparam("amount"))
)
_SPEND_BY_TOKEN = (  # PostgreSQL: the draw-down by the sender token, answering what the Pay reads of it
    update(_INSTRUMENTS)
    .where(_INSTRUMENTS.c.id == _TOKENS.c.instrument_pk, _TOKENS.c.token_id == bindparam("token_id"),
           _TOKENS.c.role == "PrepaidSender", _INSTRUMENTS.c.balance_cents >= bindparam("amount"))
    .values(balance_cents=_INSTRUMENTS.c.balance_cents - bindparam("amount"))
    .returning(*TOKEN_WITH_INSTRUMENT)
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
            raise errors.InsufficientBalance(
                "The transaction exceeds the account/instrument limits. The prepaid balance is "
                f"{display(token.balance_cents)}.")
        return _spent(token, amount_cents)

    def spend_first(self, conn: Connection, token_id: str, amount_cents: int) -> tuple[Any, Transfer] | None:
        """PostgreSQL: the balance drawn down, and the token with its instrument read, in one UPDATE ... FROM
        ... RETURNING (a round trip fewer). SQLite cannot return the token's columns from it (and a statement
        costs it no round trip): there, and when the balance is short or the token is not a prepaid sender
        token, None."""
        if conn.dialect.name != "postgresql":
            return None
        row = driver_sql.first(conn, _SPEND_BY_TOKEN, {"token_id": token_id, "amount": amount_cents})
        return (row, _spent(row, amount_cents)) if row is not None else None

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


def _spent(token, amount_cents: int) -> Transfer:
    return Transfer(ledger.prepaid_book(token.instrument_pk), ledger.prepaid_liability_book(token.recipient_id),
                    amount_cents, "prepaid balance spent")


def _credit(conn: Connection, inst, amount_cents: int, memo: str) -> Transfer:
    """Add to the prepaid balance, owed by its recipient (a funding completed, a Pay reversed)."""
    conn.execute(update(Instrument).where(Instrument.id == inst.id)
                 .values(balance_cents=Instrument.balance_cents + amount_cents))
    return Transfer(ledger.prepaid_liability_book(inst.recipient_id), ledger.prepaid_book(inst.id), amount_cents, memo)
