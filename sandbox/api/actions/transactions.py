"""Transactions: Refund, Cancel, GetTransactionStatus, GetTransaction."""

from __future__ import annotations

from ...domain import completion, refunds, transactions
from ...domain.call import Call
from ..params import CALLER_REFERENCE, OVERRIDE_IPN_URL, Args, amount, choice, text, transaction_id
from .registry import action

REFUND_POLICIES = ("MasterTxnOnly", "MarketplaceTxnOnly", "MasterAndMarketplaceTxn")


@action("Refund", choice("MarketplaceRefundPolicy", REFUND_POLICIES), transaction_id(),
        amount("RefundAmount", required=False), CALLER_REFERENCE, text("CallerDescription", 160, to_call=True),
        OVERRIDE_IPN_URL, writes=True)
def refund(call: Call, args: Args) -> dict:
    """Reverse all or part of a prepaid or debt Pay (Aggregated Payments refunds nothing else).

    Deviations: MarketplaceRefundPolicy is checked but has no effect (no marketplace fees here).
    """
    return {"result": refunds.refund(call, transaction_id=args.transaction_id, amount_cents=args.refund_amount_cents)}


@action("Cancel", transaction_id(), text("Description", 160), OVERRIDE_IPN_URL, writes=True)
def cancel(call: Call, args: Args) -> dict:
    """Cancel one of the caller's transactions that is still Pending; a cancelled one answers again."""
    return {"result": completion.cancel(call, args.transaction_id)}


@action("GetTransactionStatus", transaction_id(), one_read=True)
def get_transaction_status(call: Call, args: Args) -> dict:
    """Status, status code and message of one of the caller's transactions."""
    return {"view": transactions.view(call.conn, call.caller.id, args.transaction_id)}


@action("GetTransaction", transaction_id())
def get_transaction(call: Call, args: Args) -> dict:
    """Every detail of one of the caller's transactions, with its status history."""
    return {"view": transactions.view(call.conn, call.caller.id, args.transaction_id)}
