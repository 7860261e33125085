"""Pay: find the sender token, then spend the instrument it belongs to, whatever its kind.

A prepaid sender token spends a prepaid balance (domain/prepaid.py); a credit sender token adds
debt to a credit instrument (domain/postpaid.py). No money moves and no fee is charged.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select

from ..models import Instrument, Token
from . import driver_sql, errors, kinds, outcomes, tokens, transactions
from .call import Call
from .instrument_kind import TOKEN_WITH_INSTRUMENT
from .statuses import Operation
_TOKENS, _INSTRUMENTS = Token.__table__, Instrument.__table__
# The sender token with its instrument, the instrument row locked (PostgreSQL) in the same statement.
_TOKEN_AND_INSTRUMENT = (
    select(*TOKEN_WITH_INSTRUMENT)
    .join(_INSTRUMENTS, _INSTRUMENTS.c.id == _TOKENS.c.instrument_pk)
    .where(_TOKENS.c.token_id == bindparam("token_id"))
    .with_for_update(of=_INSTRUMENTS)
)


def pay(call: Call, *, sender_token_id: str, amount_cents: int,
        recipient_token_id: str | None = None) -> transactions.TxnResult:
    """Pay with a sender token the caller installed; answers the transaction and its status.

    A RecipientTokenId is only checked for the sandbox's special test tokens: in Aggregated
    Payments the instrument's recipient receives.
    """
    call.policy.check_amount(amount_cents, "TransactionAmount")
    done = transactions.replay(call)
    if done:
        return done
    outcomes.check_special_tokens(sender_token_id, recipient_token_id)
    spent = next((s for k in kinds.KINDS.values() if (s := k.spend_first(call.conn, sender_token_id, amount_cents))),
                 None)  # spent already where one statement can (prepaid, PostgreSQL): the checks below undo it
    token = spent[0] if spent else driver_sql.first(call.conn, _TOKEN_AND_INSTRUMENT, {"token_id": sender_token_id})
    tokens.check_own(token, call.caller.id, sender_token_id)
    kind = kinds.BY_SENDER_ROLE.get(token.role)
    if kind is None:
        raise errors.InvalidTokenId_Sender(
            f"The sender token {sender_token_id} is a {token.role} token; Pay takes the prepaidSenderTokenID "
            "or the creditSenderTokenID.")
    tokens.check_usable(token, call.now, token.instrument_id)
    if token.instrument_recipient_id != call.caller.id:
        raise errors.InstrumentAccessDenied(instrument_id=token.instrument_id)
    move = spent[1] if spent else kind.pay(call, token, amount_cents)
    return transactions.book(
        call, [move], operation=Operation.PAY, payment_method=kind.pay_method, sender_id=token.sender_id,
        recipient_id=token.recipient_id, instrument_pk=token.instrument_pk, sender_token_pk=token.id,
        amount_cents=amount_cents)
