"""Transactions: Refund, GetTransactionStatus, GetTransaction."""

from __future__ import annotations

from ...domain import completion, errors, refunds, transactions
from ..params import Params
from .registry import Context, action, amount_params, business_params

REFUND_POLICIES = ("MasterTxnOnly", "MarketplaceTxnOnly", "MasterAndMarketplaceTxn")


@action("Refund", required=("TransactionId", "CallerReference"),
        optional=(*amount_params("RefundAmount"), "CallerDescription", "MarketplaceRefundPolicy"), writes=True)
def refund(ctx: Context, p: Params) -> dict:
    """Reverse all or part of a prepaid or debt Pay (Aggregated Payments refunds nothing else).

    Deviations: MarketplaceRefundPolicy is checked but has no effect (no marketplace fees here).
    """
    policy = p.optional("MarketplaceRefundPolicy", 32)
    if policy is not None and policy not in REFUND_POLICIES:
        raise errors.InvalidParams(f"MarketplaceRefundPolicy must be one of {', '.join(REFUND_POLICIES)}.")
    result = refunds.refund(
        ctx.conn, ctx.caller, transaction_id=p.required("TransactionId", 35),
        amount_cents=p.optional_amount("RefundAmount"), caller_reference=p.required("CallerReference"),
        digest=transactions.fingerprint("Refund", business_params(p)), now=ctx.now, ids=ctx.ids, policy=ctx.policy,
        caller_description=p.optional("CallerDescription"),
    )
    return {"result": result}


@action("Cancel", required=("TransactionId",), optional=("Description",), writes=True)
def cancel(ctx: Context, p: Params) -> dict:
    """Cancel one of the caller's transactions that is still Pending; a cancelled one answers again."""
    p.optional("Description", 160)
    return {"result": completion.cancel(ctx.conn, ctx.caller, p.required("TransactionId", 35), ctx.now)}


@action("GetTransactionStatus", required=("TransactionId",))
def get_transaction_status(ctx: Context, p: Params) -> dict:
    """Status, status code and message of one of the caller's transactions."""
    return {"view": transactions.view(ctx.conn, ctx.caller.id, p.required("TransactionId", 35))}


@action("GetTransaction", required=("TransactionId",))
def get_transaction(ctx: Context, p: Params) -> dict:
    """Every detail of one of the caller's transactions, with its status history."""
    return {"view": transactions.view(ctx.conn, ctx.caller.id, p.required("TransactionId", 35))}
