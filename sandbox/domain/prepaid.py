"""Prepaid instruments: install (SetupPrepaid), fund once (FundPrepaid), spend (Pay), balances.

fps-spec.md §3.3, §4.4 and §7.1: funding charges the buyer and credits the recipient less the
fee, while the buyer's prepaid balance gets the full amount; a prepaid Pay moves no money and
carries no fee; Aggregated Payments does not support recharging an instrument.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, select, update

from ..models import Instrument
from . import completion, errors, ledger, outcomes, tokens, transactions
from .accounts import Party
from .ids import IdGenerator
from .ledger import Transfer
from .policy import Policy
from .money import display


@dataclass(frozen=True)
class PrepaidSetup:
    """What the buyer authorized on the SetupPrepaid pages."""

    caller_reference_sender: str
    caller_reference_funding: str
    funding_cents: int
    currency: str
    payment_method: str  # ABT | ACH | CC
    payment_method_id: int | None
    payment_reason: str | None
    validity_start: datetime
    validity_expiry: datetime | None


@dataclass(frozen=True)
class InstalledPrepaid:
    """The three ids the return URL carries."""

    prepaid_instrument_id: str
    funding_token_id: str
    prepaid_sender_token_id: str


def install(conn: Connection, caller: Party, buyer: Party, setup: PrepaidSetup, now: datetime, ids: IdGenerator):
    """Create the instrument (zero balance), its funding token and its prepaid sender token."""
    installed = tokens.install(
        conn, caller, buyer, now=now, ids=ids,
        refs={setup.caller_reference_funding: "Funding", setup.caller_reference_sender: "PrepaidSender"},
        roles_methods={"Funding": setup.payment_method, "PrepaidSender": "Prepaid"},
        instrument=dict(kind="Prepaid", currency=setup.currency, limit_cents=setup.funding_cents,
                        payment_method=setup.payment_method, payment_method_id=setup.payment_method_id,
                        payment_reason=setup.payment_reason, validity_start=setup.validity_start,
                        validity_expiry=setup.validity_expiry),
    )
    return InstalledPrepaid(installed.instrument_id, installed.token_ids["Funding"],
                            installed.token_ids["PrepaidSender"])


def fund(conn: Connection, caller: Party, *, sender_token_id: str, instrument_id: str, amount_cents: int,
         caller_reference: str, digest: str, now: datetime, ids: IdGenerator, policy: Policy,
         caller_description: str | None = None, sender_description: str | None = None,
         forced: outcomes.Forced | None = None):
    """FundPrepaid: charge the buyer's funding method once, credit the recipient less the fee.

    The funding is reserved at once (a second one is refused) and completes now for ABT, after the
    configured delay for a card or bank account (domain/completion.py).
    """
    policy.check_amount(amount_cents, "FundingAmount")
    done = transactions.replay(conn, caller.id, caller_reference, digest)
    if done:
        return done
    outcomes.check_special_tokens(sender_token_id)
    inst = tokens.instrument(conn, caller, instrument_id, "Prepaid")
    token = tokens.sender_token(conn, caller, sender_token_id, "Funding", "FundPrepaid", "fundingTokenID")
    if token.instrument_pk != inst.id:
        raise errors.IncompatibleTokens(
            f"The funding token {sender_token_id} belongs to another prepaid instrument than {instrument_id}.")
    tokens.check_usable(token, now, instrument_id)
    if inst.funded_cents > 0:
        raise errors.PrepaidFundingLimitExceeded(
            f"The prepaid instrument {instrument_id} was already funded with "
            f"{display(inst.funded_cents)}; Aggregated Payments does not support recharging an instrument."
        )
    if amount_cents > inst.limit_cents:
        raise errors.PrepaidFundingLimitExceeded(
            f"FundingAmount {display(amount_cents)} exceeds the fundingAmount of "
            f"{display(inst.limit_cents)} the buyer authorized for {instrument_id}."
        )
    quote = policy.fees.quote("FundPrepaid", inst.payment_method, amount_cents)
    if quote.net_cents <= 0:
        raise errors.InvalidParams("Transaction amount must be greater than Recipient Fee liability.")
    forced = forced or outcomes.amount_trigger(amount_cents, policy.amount_triggers)
    conn.execute(update(Instrument).where(Instrument.id == inst.id).values(funded_cents=amount_cents))
    return completion.start(
        conn, ids=ids, now=now, policy=policy, forced=forced, caller_reference=caller_reference, fingerprint=digest,
        operation="FundPrepaid", payment_method=inst.payment_method, caller_id=caller.id,
        sender_id=inst.sender_id, recipient_id=inst.recipient_id, instrument_pk=inst.id,
        sender_token_pk=token.id, amount_cents=amount_cents, fee_cents=quote.fee_cents,
        fees_paid_by=quote.paid_by, caller_description=caller_description, sender_description=sender_description,
    )


_INSTRUMENTS = Instrument.__table__
_DRAW_DOWN = (
    update(_INSTRUMENTS)
    .where(_INSTRUMENTS.c.id == bindparam("pk"), _INSTRUMENTS.c.balance_cents >= bindparam("amount"))
    .values(balance_cents=_INSTRUMENTS.c.balance_cents - bindparam("amount"))
)


def spend(conn: Connection, caller: Party, token, *, amount_cents: int, caller_reference: str, digest: str,
          now: datetime, ids: IdGenerator, caller_description: str | None, sender_description: str | None):
    """Pay with a prepaid sender token: draw the balance down; no money moves, no fee.

    `token` is the sender token's row joined with its (locked) instrument: instrument_id,
    instrument_recipient_id, balance_cents.
    """
    tokens.check_usable(token, now, token.instrument_id)
    if token.instrument_recipient_id != caller.id:
        raise errors.InstrumentAccessDenied(instrument_id=token.instrument_id)
    drawn = conn.execute(_DRAW_DOWN, {"pk": token.instrument_pk, "amount": amount_cents}).rowcount
    if drawn != 1:
        raise errors.InsufficientBalance(
            "The transaction exceeds the account/instrument limits. The prepaid balance is "
            f"{display(token.balance_cents)}."
        )
    spent = Transfer(ledger.prepaid_book(token.instrument_pk), ledger.prepaid_liability_book(token.recipient_id),
                     amount_cents, "prepaid balance spent")
    return transactions.book(
        conn, ids=ids, now=now, moves=[spent], caller=caller, caller_reference=caller_reference, fingerprint=digest,
        operation="Pay", payment_method="Prepaid", sender_id=token.sender_id,
        recipient_id=token.recipient_id, instrument_pk=token.instrument_pk, sender_token_pk=token.id,
        amount_cents=amount_cents, caller_description=caller_description, sender_description=sender_description,
    )


@dataclass(frozen=True)
class PrepaidBalance:
    available_cents: int
    pending_in_cents: int = 0


def balance(conn: Connection, caller: Party, instrument_id: str) -> PrepaidBalance:
    """GetPrepaidBalance: only the instrument's sender or recipient may look."""
    row = tokens.instrument(conn, caller, instrument_id, "Prepaid", lock=False, sender_may_read=True)
    return PrepaidBalance(row.balance_cents, completion.pending_amount(conn, "FundPrepaid", instrument_pk=row.id))


def total_liability(conn: Connection, caller: Party) -> PrepaidBalance:
    """GetTotalPrepaidLiability: what the caller owes across the prepaid instruments it issued."""
    total = conn.execute(
        select(func.coalesce(func.sum(Instrument.balance_cents), 0)).where(
            Instrument.kind == "Prepaid", Instrument.recipient_id == caller.id
        )
    ).scalar_one()
    return PrepaidBalance(int(total), completion.pending_amount(conn, "FundPrepaid", recipient_id=caller.id))
