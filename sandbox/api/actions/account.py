"""The caller's account: GetAccountBalance, GetAccountActivity."""

from __future__ import annotations

from ...domain import activity
from ...domain import errors
from ...domain.text import ascii_digits
from ..auth import parse_timestamp
from ..params import Params
from .registry import Context, action

ROLE_PARAMS = ("Role.1", "Role.2", "Role.3")


@action("GetAccountBalance")
def get_account_balance(ctx: Context, p: Params) -> dict:
    """The caller's Amazon Payments balance, with what is pending in."""
    return {"balance": activity.balance(ctx.conn, ctx.caller)}


@action("GetAccountActivity", required=("StartDate",),
        optional=("EndDate", "MaxBatchSize", "SortOrderByDate", "FPSOperation", "PaymentMethod",
                  "TransactionStatus", *ROLE_PARAMS))
def get_account_activity(ctx: Context, p: Params) -> dict:
    """The caller's transactions in a date range, a batch at a time, newest first by default.

    Deviations: StartTimeForNextTransaction carries microseconds; pass it as the next StartDate
    (Ascending) or EndDate (Descending).
    """
    size = p.optional("MaxBatchSize", 5)
    if size is not None and not ascii_digits(size):
        raise errors.InvalidParams("MaxBatchSize must be a whole number.")
    end = p.optional("EndDate", 40)
    query = activity.ActivityQuery(
        start=parse_timestamp(p.required("StartDate", 40), "StartDate"),
        end=parse_timestamp(end, "EndDate") if end else None,
        batch_size=int(size) if size else activity.DEFAULT_BATCH,
        order=p.optional("SortOrderByDate", 16) or "Descending", operation=p.optional("FPSOperation", 16),
        payment_method=p.optional("PaymentMethod", 8), status=p.optional("TransactionStatus", 16),
        roles=tuple(r for r in (p.optional(name, 16) for name in ROLE_PARAMS) if r),
    )
    return {"activity": activity.activity(ctx.conn, ctx.caller, query, ctx.now), "order": query.order}
