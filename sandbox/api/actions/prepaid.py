"""Prepaid actions (and Pay, which spends prepaid or credit instruments): FundPrepaid, Pay,
GetPrepaidBalance, GetTotalPrepaidLiability."""

from __future__ import annotations

from ...domain import collect, payments
from ...domain.call import Call
from ...domain.prepaid import PREPAID
from ..params import (CALLER_REFERENCE, DESCRIPTIONS, DESCRIPTOR, OVERRIDE_IPN_URL, Args, accepted, amount, by_id,
                      token_id)
from .registry import action


@action("FundPrepaid", token_id("SenderTokenId"), token_id("PrepaidInstrumentId"), amount("FundingAmount"),
        CALLER_REFERENCE, DESCRIPTIONS, DESCRIPTOR, OVERRIDE_IPN_URL, writes=True)
def fund_prepaid(call: Call, args: Args) -> dict:
    """Fund a prepaid instrument once from the buyer's chosen payment method, less the fee.

    Deviations: by card or bank account it is Pending for FPS_PENDING_SECONDS, then Success.
    """
    return {"result": collect.begin(call, PREPAID, sender_token_id=args.sender_token_id,
                                    instrument_id=args.prepaid_instrument_id, amount_cents=args.funding_amount_cents)}


@action("Pay", token_id("SenderTokenId"), amount("TransactionAmount"), CALLER_REFERENCE,
        token_id("RecipientTokenId", required=False), DESCRIPTIONS, DESCRIPTOR,
        accepted("ChargeFeeTo", "MarketplaceFixedFee.Value", "MarketplaceFixedFee.CurrencyCode",
                 "MarketplaceVariableFee"), OVERRIDE_IPN_URL, writes=True,
        prefetch=by_id("SenderTokenId", payments.token_read))
def pay(call: Call, args: Args) -> dict:
    """Spend a prepaid balance, or add debt to a credit instrument: synchronous, no fee, no money moves.

    Deviations: only prepaid and credit sender tokens are accepted (no card, bank or marketplace Pay).
    """
    return {"result": payments.pay(call, sender_token_id=args.sender_token_id,
                                   amount_cents=args.transaction_amount_cents,
                                   recipient_token_id=args.recipient_token_id)}


@action("GetPrepaidBalance", token_id("PrepaidInstrumentId"), one_read=True,
        prefetch=by_id("PrepaidInstrumentId", PREPAID.balance_read))
def get_prepaid_balance(call: Call, args: Args) -> dict:
    """The available and pending balance of a prepaid instrument (its sender or recipient only)."""
    return {"balance": PREPAID.balance(call.conn, call.caller, args.prepaid_instrument_id, call.read)}


@action("GetTotalPrepaidLiability")
def get_total_prepaid_liability(call: Call, args: Args) -> dict:
    """What the caller owes across all prepaid instruments it issued."""
    return {"balance": PREPAID.total(call.conn, call.caller)}
