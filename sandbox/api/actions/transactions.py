"""Transaction look-ups: GetTransactionStatus, GetTransaction."""

from __future__ import annotations

from ...domain import transactions
from ..params import Params
from . import Context, action


@action("GetTransactionStatus", required=("TransactionId",))
def get_transaction_status(ctx: Context, p: Params) -> dict:
    """Status, status code and message of one of the caller's transactions."""
    return {"view": transactions.view(ctx.conn, ctx.caller.id, p.required("TransactionId", 35))}


@action("GetTransaction", required=("TransactionId",))
def get_transaction(ctx: Context, p: Params) -> dict:
    """Every detail of one of the caller's transactions, with its status history."""
    return {"view": transactions.view(ctx.conn, ctx.caller.id, p.required("TransactionId", 35))}
