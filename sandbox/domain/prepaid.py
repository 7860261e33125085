"""Prepaid instruments: install (SetupPrepaid), fund once (FundPrepaid), spend (Pay), balances.

fps-spec.md §3.3, §4.4 and §7.1: funding charges the buyer and credits the recipient less the
fee, while the buyer's prepaid balance gets the full amount; a prepaid Pay moves no money and
carries no fee; Aggregated Payments does not support recharging an instrument.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, insert, select, update

from ..models import Account, Instrument, Token
from . import errors, ledger, transactions
from .accounts import Party
from .ids import IdGenerator
from .ledger import Transfer
from .policy import Policy


class PipelineRefused(Exception):
    """The Co-Branded pipeline cannot install: `status` is the CBUI status code (NP, ...)."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


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
    """Create the instrument (zero balance), its funding token and its prepaid sender token.

    A repeat of the same authorization by the same buyer answers the ids installed before;
    caller references already used otherwise are refused with NP.
    """
    if buyer.id == caller.id:
        raise PipelineRefused("NP", "The sender and the recipient are the same account.")
    existing = _existing_install(conn, caller.id, buyer.id, setup)
    if existing:
        return existing
    instrument_id = ids.token_id()
    instrument_pk = conn.execute(
        insert(Instrument).values(
            instrument_id=instrument_id, kind="Prepaid", caller_id=caller.id, sender_id=buyer.id,
            recipient_id=caller.id, currency=setup.currency, limit_cents=setup.funding_cents, balance_cents=0,
            funded_cents=0, payment_method=setup.payment_method, payment_method_id=setup.payment_method_id,
            payment_reason=setup.payment_reason, validity_start=setup.validity_start,
            validity_expiry=setup.validity_expiry, created_at=now,
        )
    ).inserted_primary_key[0]
    common = dict(
        instrument_pk=instrument_pk, caller_id=caller.id, sender_id=buyer.id, recipient_id=caller.id,
        payment_reason=setup.payment_reason, validity_start=setup.validity_start,
        validity_expiry=setup.validity_expiry, date_installed=now, token_type="MultiUse", status="Active",
    )
    funding_id, sender_id = ids.token_id(), ids.token_id()
    conn.execute(
        insert(Token),
        [
            {**common, "token_id": funding_id, "role": "Funding", "payment_method": setup.payment_method,
             "caller_reference": setup.caller_reference_funding},
            {**common, "token_id": sender_id, "role": "PrepaidSender", "payment_method": "Prepaid",
             "caller_reference": setup.caller_reference_sender},
        ],
    )
    return InstalledPrepaid(instrument_id, funding_id, sender_id)


def _existing_install(conn: Connection, caller_id: int, buyer_id: int, setup: PrepaidSetup):
    """The ids installed before for exactly these caller references and this buyer, or None.

    Raises PipelineRefused (NP) when either reference is already used any other way.
    """
    refs = {setup.caller_reference_funding: "Funding", setup.caller_reference_sender: "PrepaidSender"}
    rows = conn.execute(
        select(Token.role, Token.token_id, Token.sender_id, Token.instrument_pk, Token.caller_reference,
               Instrument.instrument_id)
        .join(Instrument, Instrument.id == Token.instrument_pk)
        .where(Token.caller_id == caller_id, Token.caller_reference.in_(list(refs)))
    ).all()
    if not rows:
        return None
    same = (
        len(rows) == 2
        and all(refs.get(r.caller_reference) == r.role and r.sender_id == buyer_id for r in rows)
        and rows[0].instrument_pk == rows[1].instrument_pk
    )
    if not same:
        used = ", ".join(sorted(r.caller_reference for r in rows))
        raise PipelineRefused("NP", f"The caller reference(s) [{used}] are already used by another authorization.")
    ids = {r.role: r.token_id for r in rows}
    return InstalledPrepaid(rows[0].instrument_id, ids["Funding"], ids["PrepaidSender"])


def _locked_instrument(conn: Connection, instrument_id: str):
    return conn.execute(
        select(Instrument.__table__).where(Instrument.instrument_id == instrument_id).with_for_update()
    ).first()


def _token(conn: Connection, token_id: str):
    return conn.execute(select(Token.__table__).where(Token.token_id == token_id)).first()


def check_usable(token, now: datetime, instrument_id: str) -> None:
    """TokenNotActive_Sender for a cancelled or not-yet-valid token, InstrumentExpired after expiry."""
    if token.status != "Active":
        raise errors.TokenNotActive_Sender(token_id=token.token_id)
    if now < token.validity_start:
        raise errors.TokenNotActive_Sender(
            f"The sender token {token.token_id} is not valid before {token.validity_start:%Y-%m-%dT%H:%M:%SZ}."
        )
    if token.validity_expiry is not None and now >= token.validity_expiry:
        raise errors.InstrumentExpired(
            f"The instrument {instrument_id} expired at {token.validity_expiry:%Y-%m-%dT%H:%M:%SZ}."
        )


def fund(conn: Connection, caller: Party, *, sender_token_id: str, instrument_id: str, amount_cents: int,
         caller_reference: str, digest: str, now: datetime, ids: IdGenerator, policy: Policy,
         caller_description: str | None = None, sender_description: str | None = None):
    """FundPrepaid: charge the buyer's funding method once, credit the recipient less the fee."""
    policy.check_amount(amount_cents, "FundingAmount")
    done = transactions.replay(conn, caller.id, caller_reference, digest)
    if done:
        return done
    inst = _locked_instrument(conn, instrument_id)
    if inst is None or inst.kind != "Prepaid":
        raise errors.InvalidParams(
            f"PrepaidInstrumentId has to be a valid prepaid instrument ID. Specified value: {instrument_id}"
        )
    if inst.recipient_id != caller.id:
        raise errors.InstrumentAccessDenied(instrument_id=instrument_id)
    token = _funding_token(conn, caller, sender_token_id, inst)
    check_usable(token, now, instrument_id)
    if inst.funded_cents > 0:
        raise errors.PrepaidFundingLimitExceeded(
            f"The prepaid instrument {instrument_id} was already funded with "
            f"${inst.funded_cents / 100:.2f}; Aggregated Payments does not support recharging an instrument."
        )
    if amount_cents > inst.limit_cents:
        raise errors.PrepaidFundingLimitExceeded(
            f"FundingAmount ${amount_cents / 100:.2f} exceeds the fundingAmount of "
            f"${inst.limit_cents / 100:.2f} the buyer authorized for {instrument_id}."
        )
    quote = policy.fees.quote("FundPrepaid", inst.payment_method, amount_cents)
    if quote.net_cents <= 0:
        raise errors.InvalidParams("Transaction amount must be greater than Recipient Fee liability.")
    _move_balances(conn, inst, amount_cents, quote.net_cents)
    return _record_funding(conn, caller, inst, token, amount_cents, quote, caller_reference, digest, now, ids,
                           caller_description, sender_description)


def _funding_token(conn: Connection, caller: Party, token_id: str, inst):
    token = _token(conn, token_id)
    if token is None or token.caller_id != caller.id:
        raise errors.InvalidTokenId_Sender(token_id=token_id)
    if token.role != "Funding":
        raise errors.InvalidTokenId_Sender(
            f"The sender token {token_id} is a {token.role} token; FundPrepaid takes the fundingTokenID."
        )
    if token.instrument_pk != inst.id:
        raise errors.IncompatibleTokens(
            f"The funding token {token_id} belongs to another prepaid instrument than {inst.instrument_id}."
        )
    return token


def _move_balances(conn: Connection, inst, amount_cents: int, net_cents: int) -> None:
    """Charge the buyer (ABT only: cards and bank accounts always pay), credit recipient and instrument."""
    for account_id in sorted({inst.sender_id, inst.recipient_id}):  # lock order: by id
        conn.execute(select(Account.id).where(Account.id == account_id).with_for_update())
    if inst.payment_method == "ABT":
        charged = conn.execute(
            update(Account)
            .where(Account.id == inst.sender_id, Account.balance_cents >= amount_cents)
            .values(balance_cents=Account.balance_cents - amount_cents)
        ).rowcount
        if charged != 1:
            raise errors.InsufficientBalance(
                "The transaction exceeds the account/instrument limits. The buyer's Amazon Payments "
                f"balance is less than ${amount_cents / 100:.2f}."
            )
    conn.execute(update(Account).where(Account.id == inst.recipient_id)
                 .values(balance_cents=Account.balance_cents + net_cents))
    conn.execute(update(Instrument).where(Instrument.id == inst.id).values(
        balance_cents=Instrument.balance_cents + amount_cents, funded_cents=amount_cents))


def _record_funding(conn, caller, inst, token, amount_cents, quote, caller_reference, digest, now, ids,
                    caller_description, sender_description):
    txn_id = ids.transaction_id()
    pk = transactions.record(
        conn, now=now, transaction_id=txn_id, caller_reference=caller_reference, fingerprint=digest,
        operation="FundPrepaid", payment_method=inst.payment_method, caller_id=caller.id,
        sender_id=inst.sender_id, recipient_id=inst.recipient_id, instrument_pk=inst.id,
        sender_token_pk=token.id, amount_cents=amount_cents, fee_cents=quote.fee_cents,
        fees_paid_by=quote.paid_by, caller_description=caller_description, sender_description=sender_description,
    )
    source = ledger.funding_book(inst.payment_method, inst.payment_method_id, inst.sender_id)
    moves = [
        Transfer(source, ledger.CLEARING, amount_cents, f"buyer pays by {inst.payment_method}"),
        Transfer(ledger.CLEARING, ledger.balance_book(inst.recipient_id), quote.net_cents, "recipient receives net"),
        Transfer(ledger.CLEARING, ledger.FEE_REVENUE, quote.fee_cents, f"FPS fee ({quote.rule})"),
        Transfer(ledger.prepaid_liability_book(inst.recipient_id), ledger.prepaid_book(inst.id), amount_cents,
                 "prepaid value issued to the buyer"),
    ]
    ledger.post(conn, txn_id, [m for m in moves if m.cents], now, pk)
    return transactions.TxnResult(txn_id, "Success")


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
    check_usable(token, now, token.instrument_id)
    if token.instrument_recipient_id != caller.id:
        raise errors.InstrumentAccessDenied(instrument_id=token.instrument_id)
    drawn = conn.execute(_DRAW_DOWN, {"pk": token.instrument_pk, "amount": amount_cents}).rowcount
    if drawn != 1:
        raise errors.InsufficientBalance(
            "The transaction exceeds the account/instrument limits. The prepaid balance is "
            f"${token.balance_cents / 100:.2f}."
        )
    txn_id = ids.transaction_id()
    pk = transactions.record(
        conn, now=now, transaction_id=txn_id, caller_reference=caller_reference, fingerprint=digest,
        operation="Pay", payment_method="Prepaid", caller_id=caller.id, sender_id=token.sender_id,
        recipient_id=token.recipient_id, instrument_pk=token.instrument_pk, sender_token_pk=token.id,
        amount_cents=amount_cents,
        fee_cents=0, caller_description=caller_description, sender_description=sender_description,
    )
    ledger.post(conn, txn_id, [Transfer(ledger.prepaid_book(token.instrument_pk),
                                        ledger.prepaid_liability_book(token.recipient_id),
                                        amount_cents, "prepaid balance spent")], now, pk)
    return transactions.TxnResult(txn_id, "Success")


@dataclass(frozen=True)
class PrepaidBalance:
    available_cents: int
    pending_in_cents: int = 0


def balance(conn: Connection, caller: Party, instrument_id: str) -> PrepaidBalance:
    """GetPrepaidBalance: only the instrument's sender or recipient may look."""
    row = conn.execute(
        select(Instrument.kind, Instrument.sender_id, Instrument.recipient_id, Instrument.balance_cents)
        .where(Instrument.instrument_id == instrument_id)
    ).first()
    if row is None or row.kind != "Prepaid":
        raise errors.InvalidParams(
            f"PrepaidInstrumentId has to be a valid prepaid instrument ID. Specified value: {instrument_id}"
        )
    if caller.id not in (row.sender_id, row.recipient_id):
        raise errors.InstrumentAccessDenied(instrument_id=instrument_id)
    return PrepaidBalance(row.balance_cents)


def total_liability(conn: Connection, caller: Party) -> PrepaidBalance:
    """GetTotalPrepaidLiability: what the caller owes across the prepaid instruments it issued."""
    total = conn.execute(
        select(func.coalesce(func.sum(Instrument.balance_cents), 0)).where(
            Instrument.kind == "Prepaid", Instrument.recipient_id == caller.id
        )
    ).scalar_one()
    return PrepaidBalance(int(total))
