"""Prepaid actions (and Pay, which spends prepaid or credit instruments): FundPrepaid, Pay,
GetPrepaidBalance, GetTotalPrepaidLiability."""

from __future__ import annotations

from ...domain import payments, prepaid, transactions
from ..params import Params
from .registry import DESCRIPTIONS, DESCRIPTOR, Context, action, amount_params, business_params


@action(
    "FundPrepaid",
    required=("SenderTokenId", "PrepaidInstrumentId", "CallerReference", *amount_params("FundingAmount")),
    optional=(*DESCRIPTIONS, *DESCRIPTOR),
    writes=True,
)
def fund_prepaid(ctx: Context, p: Params) -> dict:
    """Fund a prepaid instrument once from the buyer's chosen payment method, less the fee.

    Deviations: by card or bank account it is Pending for FPS_PENDING_SECONDS, then Success.
    """
    result = prepaid.fund(
        ctx.conn, ctx.caller, sender_token_id=p.required("SenderTokenId", 65),
        instrument_id=p.required("PrepaidInstrumentId", 65), amount_cents=p.amount("FundingAmount"),
        caller_reference=p.required("CallerReference"), digest=transactions.fingerprint("FundPrepaid", business_params(p)),
        now=ctx.now, ids=ctx.ids, policy=ctx.policy, caller_description=p.optional("CallerDescription"),
        sender_description=p.optional("SenderDescription"), forced=ctx.forced,
    )
    return {"result": result}


@action(
    "Pay",
    required=("SenderTokenId", "CallerReference", *amount_params("TransactionAmount")),
    optional=(*DESCRIPTIONS, *DESCRIPTOR, "RecipientTokenId", "ChargeFeeTo", "MarketplaceFixedFee.Value",
              "MarketplaceFixedFee.CurrencyCode", "MarketplaceVariableFee"),
    writes=True,
)
def pay(ctx: Context, p: Params) -> dict:
    """Spend a prepaid balance, or add debt to a credit instrument: synchronous, no fee, no money moves.

    Deviations: only prepaid and credit sender tokens are accepted (no card, bank or marketplace Pay).
    """
    result = payments.pay(
        ctx.conn, ctx.caller, sender_token_id=p.required("SenderTokenId", 65),
        amount_cents=p.amount("TransactionAmount"), caller_reference=p.required("CallerReference"),
        digest=transactions.fingerprint("Pay", business_params(p)), now=ctx.now, ids=ctx.ids, policy=ctx.policy,
        recipient_token_id=p.optional("RecipientTokenId", 65),
        caller_description=p.optional("CallerDescription"), sender_description=p.optional("SenderDescription"),
    )
    return {"result": result}


@action("GetPrepaidBalance", required=("PrepaidInstrumentId",))
def get_prepaid_balance(ctx: Context, p: Params) -> dict:
    """The available and pending balance of a prepaid instrument (its sender or recipient only)."""
    return {"balance": prepaid.balance(ctx.conn, ctx.caller, p.required("PrepaidInstrumentId", 65))}


@action("GetTotalPrepaidLiability")
def get_total_prepaid_liability(ctx: Context, p: Params) -> dict:
    """What the caller owes across all prepaid instruments it issued."""
    return {"balance": prepaid.total_liability(ctx.conn, ctx.caller)}
