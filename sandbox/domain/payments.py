"""Pay: find the sender token, then spend the instrument it belongs to, whatever its kind.

A prepaid sender token spends a prepaid balance (domain/prepaid.py); a credit sender token adds
debt to a credit instrument (domain/postpaid.py). No money moves and no fee is charged.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select

from ..models import Instrument, Token
from . import driver_sql, errors, kinds, outcomes, tokens, transactions
from .call import Call
from .instrument_kind import TOKEN_WITH_INSTRUMENT, InstrumentKind
from .statuses import Operation

_TOKENS, _INSTRUMENTS = Token.__table__, Instrument.__table__
_TOKEN_AND_INSTRUMENT_AHEAD = (  # read with the caller, before the write (views._authenticate): no lock
    select(*TOKEN_WITH_INSTRUMENT)
    .join(_INSTRUMENTS, _INSTRUMENTS.c.id == _TOKENS.c.instrument_pk)
    .where(_TOKENS.c.token_id == bindparam("token_id"))
)
# The sender token with its instrument, the instrument row locked (PostgreSQL) in the same statement.
_TOKEN_AND_INSTRUMENT = _TOKEN_AND_INSTRUMENT_AHEAD.with_for_update(of=_INSTRUMENTS)


def token_read(sender_token_id: str) -> driver_sql.Read:
    """What a Pay may read ahead, with the caller: the sender token and its instrument."""
    return driver_sql.Read(_TOKEN_AND_INSTRUMENT_AHEAD, {"token_id": sender_token_id})


def pay(call: Call, *, sender_token_id: str, amount_cents: int,
        recipient_token_id: str | None = None) -> transactions.TxnResult:
    """Pay with a sender token the caller installed; answers the transaction and its status.

    A RecipientTokenId is only checked for the sandbox's special test tokens: in Aggregated
    Payments the instrument's recipient receives. With the token read ahead (PostgreSQL), a kind that can
    writes the Pay in one statement guarded by what it relied on (InstrumentKind.guarded_pay); otherwise the
    token is read with its instrument locked.
    """
    call.policy.check_amount(amount_cents, "TransactionAmount")
    done = transactions.replay(call)
    if done:
        return done
    outcomes.check_special_tokens(sender_token_id, recipient_token_id)
    values = {"operation": Operation.PAY, "amount_cents": amount_cents}
    if call.read is not None and call.read.answers(token_read(sender_token_id)):
        kind = _check(call, call.read.row, sender_token_id)
        guarded = kind.guarded_pay(call.conn, call.read.row, amount_cents)
        if guarded is not None:
            return transactions.book(call, [guarded[0]], guard=guarded[1], **_of(kind, call.read.row), **values)
    token = driver_sql.first(call.conn, _TOKEN_AND_INSTRUMENT, {"token_id": sender_token_id})
    kind = _check(call, token, sender_token_id)
    return transactions.book(call, [kind.pay(call, token, amount_cents)], **_of(kind, token), **values)


def _check(call: Call, token, sender_token_id: str) -> InstrumentKind:
    """The caller's usable sender token of an instrument it is the recipient of; answers its kind."""
    tokens.check_own(token, call.caller.id, sender_token_id)
    kind = kinds.BY_SENDER_ROLE.get(token.role)
    if kind is None:
        raise errors.InvalidTokenId_Sender(
            f"The sender token {sender_token_id} is a {token.role} token; Pay takes the prepaidSenderTokenID "
            "or the creditSenderTokenID.")
    tokens.check_usable(token, call.now, token.instrument_id)
    if token.instrument_recipient_id != call.caller.id:
        raise errors.InstrumentAccessDenied(instrument_id=token.instrument_id)
    return kind


def _of(kind: InstrumentKind, token) -> dict:
    """A Pay transaction's columns that its token gives."""
    return {"payment_method": kind.pay_method, "sender_id": token.sender_id, "recipient_id": token.recipient_id,
            "instrument_pk": token.instrument_pk, "sender_token_pk": token.id}
