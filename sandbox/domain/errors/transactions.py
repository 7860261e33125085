"""FPS error codes: transactions."""

from __future__ import annotations

from .base import FpsError


class DuplicateRequest(FpsError):
    message = (
        "A different request associated with this caller reference already exists: "
        "CallerReference {caller_reference} was used for transaction {transaction_id}."
    )
    retriable = False


class InvalidTransactionId(FpsError):
    message = "The transaction {transaction_id} is not a transaction of yours."
    retriable = False


class InvalidTransactionState(FpsError):
    message = "The transaction is not in a state that allows this operation."
    retriable = False


class InvalidDateRange(FpsError):
    message = "The end date is before the start date, or the start date is in the future."
    retriable = False


class ConcurrentModification(FpsError):
    message = "Two processes tried to modify the same data at the same time. Please retry."


class OriginalTransactionFailed(FpsError):
    message = "The original transaction failed."
    retriable = False


class OriginalTransactionIncomplete(FpsError):
    message = "The original transaction is still in progress."


class TransactionDenied(FpsError):
    message = "This transaction is not allowed."
    retriable = False


class SameSenderAndRecipient(FpsError):
    message = "The sender and the recipient are the same."
    retriable = False


class InvalidPaymentInstrument(FpsError):
    message = "The payment method used is invalid for this transaction."
    retriable = False


class InvalidPaymentMethod(FpsError):
    message = "Specify a correct payment method."
    retriable = False


class PaymentInstrumentNotCC(FpsError):
    message = "Only a credit card may be used for this transaction."
    retriable = False


class PaymentMethodNotDefined(FpsError):
    message = "The payment method is not defined in the transaction."
    retriable = False


class InvalidRecipientForCCTransaction(FpsError):
    message = "This account cannot receive credit card payments."
    retriable = False


class InvalidSenderRoleForAccountType(FpsError):
    message = "This token cannot be used for this operation."
    retriable = False


class NotMarketplaceApp(FpsError):
    message = "This is not a marketplace application, or the caller is neither sender nor recipient."


class SenderNotOriginalRecipient(FpsError):
    message = "The sender of the refund is not the recipient of the original transaction."
    retriable = False
