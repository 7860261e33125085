"""Collecting real money from a buyer: what FundPrepaid and SettleDebt share.

The buyer's chosen method pays the gross amount into clearing; the recipient's Amazon Payments
balance receives it less the fee, which goes to fee revenue. Cards and bank accounts always pay
in the sandbox; an Amazon Payments balance (ABT) must cover the amount.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from ..models import Account
from . import errors, ledger
from .fees import FeeQuote
from .ledger import Transfer
from .money import display


def collect(conn: Connection, inst, quote: FeeQuote) -> list[Transfer]:
    """Move the money between balances; answers the ledger transfers to post with the transaction."""
    for account_id in sorted({inst.sender_id, inst.recipient_id}):  # lock order: by id
        conn.execute(select(Account.id).where(Account.id == account_id).with_for_update())
    if inst.payment_method == "ABT":
        charged = conn.execute(
            update(Account)
            .where(Account.id == inst.sender_id, Account.balance_cents >= quote.gross_cents)
            .values(balance_cents=Account.balance_cents - quote.gross_cents)
        ).rowcount
        if charged != 1:
            raise errors.InsufficientBalance(
                "The transaction exceeds the account/instrument limits. The buyer's Amazon Payments "
                f"balance is less than {display(quote.gross_cents)}."
            )
    conn.execute(update(Account).where(Account.id == inst.recipient_id)
                 .values(balance_cents=Account.balance_cents + quote.net_cents))
    source = ledger.funding_book(inst.payment_method, inst.payment_method_id, inst.sender_id)
    moves = [
        Transfer(source, ledger.CLEARING, quote.gross_cents, f"buyer pays by {inst.payment_method}"),
        Transfer(ledger.CLEARING, ledger.balance_book(inst.recipient_id), quote.net_cents, "recipient receives net"),
        Transfer(ledger.CLEARING, ledger.FEE_REVENUE, quote.fee_cents, f"FPS fee ({quote.rule})"),
    ]
    return [m for m in moves if m.cents]
