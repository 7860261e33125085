"""FPS error codes: money and limits."""

from __future__ import annotations

from .base import FpsError


class AmountOutOfRange(FpsError):
    message = "The transaction amount {amount} is outside the allowed range ({low} to {high})."
    retriable = False


class InsufficientBalance(FpsError):
    message = "The transaction exceeds the account/instrument limits."


class PrepaidFundingLimitExceeded(FpsError):
    message = "Funding would exceed the prepaid instrument's funding limit."


class SettleAmountGreaterThanDebt(FpsError):
    message = "The amount is greater than the current debt of the credit instrument."
    retriable = False


class SettleAmountGreaterThanReserveAmount(FpsError):
    message = "The settle amount is greater than the reserved amount."
    retriable = False


class RefundAmountExceeded(FpsError):
    message = "The refund amount is more than the refundable amount."
    retriable = False


class TransactionFullyRefundedAlready(FpsError):
    message = "The transaction has already been completely refunded."
    retriable = False


class TransactionTypeNotRefundable(FpsError):
    message = "This type of transaction cannot be refunded."
    retriable = False
