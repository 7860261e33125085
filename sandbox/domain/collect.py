"""Collecting real money from a buyer: FundPrepaid and SettleDebt, one operation for both kinds.

The buyer's funding or settlement token charges the method the buyer chose on the Co-Branded
pages; the recipient receives the amount less the fee. It completes now for an Amazon Payments
balance (ABT), after the configured delay for a card or bank account (domain/completion.py).
"""

from __future__ import annotations

from . import completion, errors, outcomes, tokens, transactions
from .call import Call
from .instrument_kind import InstrumentKind


def begin(call: Call, kind: InstrumentKind, *, sender_token_id: str, instrument_id: str,
          amount_cents: int) -> transactions.TxnResult:
    """Check the instrument and its collecting token, quote the fee, reserve, then record (and maybe
    complete) the transaction."""
    call.policy.check_amount(amount_cents, kind.collect_amount_param)
    done = transactions.replay(call)
    if done:
        return done
    outcomes.check_special_tokens(sender_token_id)
    inst = tokens.instrument(call.conn, call.caller, instrument_id, kind)
    token = tokens.sender_token(call.conn, call.caller, sender_token_id, kind.collect_role, kind.collect_operation,
                                kind.collect_token_name)
    if token.instrument_pk != inst.id:
        raise errors.IncompatibleTokens(f"The {kind.collect_role.lower()} token {sender_token_id} belongs to another "
                                        f"{kind.word} instrument than {instrument_id}.")
    tokens.check_usable(token, call.now, instrument_id, enforce_expiry=kind.collect_expires)
    kind.check_collect(call.conn, inst, amount_cents)
    quote = call.policy.fees.quote(kind.collect_operation, inst.payment_method, amount_cents)
    if quote.net_cents <= 0:
        raise errors.InvalidParams("Transaction amount must be greater than Recipient Fee liability.")
    forced = call.forced or outcomes.amount_trigger(amount_cents, call.policy.amount_triggers)
    kind.reserve(call.conn, inst, amount_cents)
    return completion.start(call, forced, operation=kind.collect_operation, payment_method=inst.payment_method,
                            sender_id=inst.sender_id, recipient_id=inst.recipient_id, instrument_pk=inst.id,
                            sender_token_pk=token.id, amount_cents=amount_cents, fee_cents=quote.fee_cents,
                            fees_paid_by=quote.paid_by)
