"""Pay: find the sender token, dispatch on what kind of instrument it spends.

A prepaid sender token spends a prepaid balance (domain/prepaid.py); a credit sender token adds
debt to a credit instrument (domain/postpaid.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, select

from ..models import Instrument, Token
from . import errors, outcomes, postpaid, prepaid, transactions
from .accounts import Party
from .ids import IdGenerator
from .policy import Policy

_TOKENS, _INSTRUMENTS = Token.__table__, Instrument.__table__
# The sender token with its instrument, the instrument row locked (PostgreSQL) in the same statement.
_TOKEN_AND_INSTRUMENT = (
    select(_TOKENS, _INSTRUMENTS.c.instrument_id, _INSTRUMENTS.c.recipient_id.label("instrument_recipient_id"),
           _INSTRUMENTS.c.balance_cents, _INSTRUMENTS.c.debt_cents, _INSTRUMENTS.c.limit_cents,
           _INSTRUMENTS.c.global_limit_cents)
    .join(_INSTRUMENTS, _INSTRUMENTS.c.id == _TOKENS.c.instrument_pk)
    .where(_TOKENS.c.token_id == bindparam("token_id"))
    .with_for_update(of=_INSTRUMENTS)
)


def pay(conn: Connection, caller: Party, *, sender_token_id: str, amount_cents: int, caller_reference: str,
        digest: str, now: datetime, ids: IdGenerator, policy: Policy, recipient_token_id: str | None = None,
        caller_description: str | None = None, sender_description: str | None = None) -> transactions.TxnResult:
    """Pay with a sender token the caller installed; answers the transaction and its status.

    A RecipientTokenId is only checked for the sandbox's special test tokens: in Aggregated
    Payments the instrument's recipient receives.
    """
    policy.check_amount(amount_cents, "TransactionAmount")
    done = transactions.replay(conn, caller.id, caller_reference, digest)
    if done:
        return done
    outcomes.check_special_tokens(sender_token_id, recipient_token_id)
    token = conn.execute(_TOKEN_AND_INSTRUMENT, {"token_id": sender_token_id}).first()
    if token is None or token.caller_id != caller.id:
        raise errors.InvalidTokenId_Sender(token_id=sender_token_id)
    spend = {"PrepaidSender": prepaid.spend, "CreditSender": postpaid.charge}.get(token.role)
    if spend is None:
        raise errors.InvalidTokenId_Sender(
            f"The sender token {sender_token_id} is a {token.role} token; Pay takes the prepaidSenderTokenID "
            "or the creditSenderTokenID."
        )
    return spend(conn, caller, token, amount_cents=amount_cents, caller_reference=caller_reference, digest=digest,
                 now=now, ids=ids, caller_description=caller_description, sender_description=sender_description)
