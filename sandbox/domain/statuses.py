"""Transaction statuses, FPS operations and the StatusMessage for each StatusCode, in one place (no
imports of the domain's modules but errors, so every module may use it)."""

from __future__ import annotations

from sqlalchemy import String, literal_column

from . import errors


class Status:
    """TransactionStatus values (fps-spec.md §5)."""

    PENDING = "Pending"
    SUCCESS = "Success"
    FAILURE = "Failure"
    CANCELLED = "Cancelled"
    RESERVED = "Reserved"  # FPS's Reserve; the sandbox never makes one
    ENDED = (SUCCESS, FAILURE, CANCELLED)
    ALL = (RESERVED, SUCCESS, FAILURE, PENDING, CANCELLED)  # GetAccountActivity's TransactionStatus filter


# "status = 'Pending'" written into the SQL rather than bound: only then can PostgreSQL's generic plans (a
# statement run many times) use the partial indexes of Pending rows, which SQLite uses either way. A
# literal column, not a literal_execute parameter: the same text whoever compiles it (domain/driver_sql.py).
PENDING_SQL = literal_column(f"'{Status.PENDING}'", String)


class TokenStatus:
    """TokenStatus values: a cancelled token is Inactive."""

    ACTIVE = "Active"
    INACTIVE = "Inactive"
    ALL = (ACTIVE, INACTIVE)


class StatusCode:
    """StatusCode values the sandbox sets besides the error codes a forced failure ends with."""

    SUCCESS = "Success"
    PENDING = "PendingNetworkResponse"
    CANCELED = "Canceled"  # FPS's spelling


class Operation:
    """FPSOperation values of the transactions the sandbox records."""

    PAY = "Pay"
    REFUND = "Refund"
    FUND_PREPAID = "FundPrepaid"
    SETTLE_DEBT = "SettleDebt"
    WRITE_OFF_DEBT = "WriteOffDebt"
    RECORDED = (FUND_PREPAID, PAY, REFUND, SETTLE_DEBT, WRITE_OFF_DEBT)
    COLLECTING = (FUND_PREPAID, SETTLE_DEBT)  # charge the buyer's payment method, less a fee; may be Pending
    ALL = (PAY, REFUND, "Settle", SETTLE_DEBT, WRITE_OFF_DEBT, FUND_PREPAID, "Reserve")  # GetAccountActivity's filter


STATUS_MESSAGES = {
    StatusCode.SUCCESS: "The transaction was successful and the payment instrument was charged.",
    StatusCode.PENDING: "The transaction is awaiting a response from the backend payment processor.",
    "TemporaryDecline": "The payment processor declined the transaction for now (sandbox amount trigger .60-.69).",
    StatusCode.CANCELED: "The transaction was cancelled by the caller.",
}


def status_message(code: str) -> str:
    """The StatusMessage for a StatusCode (an error code's own message for failures)."""
    if code in STATUS_MESSAGES:
        return STATUS_MESSAGES[code]
    return errors.REGISTRY[code].message if code in errors.REGISTRY else code
