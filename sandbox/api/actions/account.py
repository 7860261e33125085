"""The caller's account: GetAccountBalance, GetAccountActivity."""

from __future__ import annotations

from ...domain import activity
from ...domain.call import Call
from ..params import Args, text, timestamp, whole_number
from .registry import action

ROLES = tuple(text(f"Role.{n}", 16) for n in (1, 2, 3))


@action("GetAccountBalance", one_read=True)
def get_account_balance(call: Call, args: Args) -> dict:
    """The caller's Amazon Payments balance, with what is pending in."""
    return {"balance": activity.balance(call.conn, call.caller)}


@action("GetAccountActivity", whole_number("MaxBatchSize"), timestamp("EndDate"), timestamp("StartDate", required=True),
        text("SortOrderByDate", 16), text("FPSOperation", 16), text("PaymentMethod", 8),
        text("TransactionStatus", 16), ROLES)
def get_account_activity(call: Call, args: Args) -> dict:
    """The caller's transactions in a date range, a batch at a time, newest first by default.

    Deviations: StartTimeForNextTransaction carries microseconds; pass it as the next StartDate
    (Ascending) or EndDate (Descending).
    """
    query = activity.ActivityQuery(
        start=args.start_date, end=args.end_date,
        batch_size=args.max_batch_size if args.max_batch_size is not None else activity.DEFAULT_BATCH,
        order=args.sort_order_by_date or "Descending", operation=args.fps_operation,
        payment_method=args.payment_method, status=args.transaction_status,
        roles=tuple(r for r in (args.role_1, args.role_2, args.role_3) if r),
    )
    return {"activity": activity.activity(call.conn, call.caller, query, call.now), "order": query.order}
