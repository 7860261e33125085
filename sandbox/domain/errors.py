"""FPS errors: one exception class per FPS error code (fps-spec.md §6).

A class name equals its FPS code, so `grep InsufficientBalance` finds raise sites, tests and
docs. Classes carry FPS vocabulary only (code, message, retriable); the API face maps codes
to HTTP statuses.
"""

from __future__ import annotations


class FpsError(Exception):
    """Base of every FPS error; `message` may use {placeholders} filled from keyword args."""

    code = "InternalError"
    message = "An internal error occurred. Please retry the request."
    retriable = True

    def __init__(self, message: str | None = None, **fmt: object) -> None:
        text = message if message is not None else self.message.format(**fmt)
        super().__init__(text)
        self.message = text

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            cls.code = cls.__name__
        REGISTRY[cls.code] = cls


REGISTRY: dict[str, type[FpsError]] = {}


def error_class(code: str) -> type[FpsError]:
    """The exception class for an FPS error code (KeyError if the sandbox does not know it)."""
    return REGISTRY[code]


# --- authentication and request shape (generic AWS layer) -------------------------------
class InvalidClientTokenId(FpsError):
    message = "The AWS Access Key Id you provided does not exist in our records."
    retriable = False


class SignatureDoesNotMatch(FpsError):
    message = "The request signature calculated by Amazon does not match the signature you provided."
    retriable = False


class AuthFailure(FpsError):
    message = "AWS was not able to validate the provided access credentials."


class MissingParameter(FpsError):
    message = "The request must contain the parameter {name}."
    retriable = False


class InvalidParameterValue(FpsError):
    message = "Value ({value}) for parameter {name} is invalid."
    retriable = False


class RequestExpired(FpsError):
    message = "Request has expired. Timestamp date is {timestamp}"
    retriable = False


class InvalidRequest(FpsError):
    message = (
        "The request doesn't conform to the interface specification in the WSDL. "
        'Element/Parameter "http://fps.amazonaws.com/doc/2008-09-17/:{name}" in request is '
        "either invalid or is found at unexpected location"
    )
    retriable = False


class InvalidAction(FpsError):
    message = "The action {action} is not valid for this web service."
    retriable = False


class InvalidParams(FpsError):
    message = "One or more parameters in the request is invalid."
    retriable = False


class InternalError(FpsError):
    pass


class ServiceUnavailable(FpsError):
    message = "The service is temporarily unavailable. Please retry the request."


class Throttling(FpsError):
    message = "Rate exceeded. Please retry the request."


# --- accounts ---------------------------------------------------------------------------
class AccessFailure(FpsError):
    message = "Account cannot be accessed."


class AccountClosed(FpsError):
    message = "Account is not active."


class AccountLimitsExceeded(FpsError):
    message = "The spending or receiving limit on the account is exceeded."


class InvalidAccountState(FpsError):
    message = "The account is suspended or closed and cannot take part in this transaction."


class InvalidAccountState_Caller(InvalidAccountState):  # noqa: N801 - FPS code
    message = "The caller account is suspended or closed."


class InvalidAccountState_Recipient(InvalidAccountState):  # noqa: N801
    message = "The recipient account is suspended or closed."


class InvalidAccountState_Sender(InvalidAccountState):  # noqa: N801
    message = "The sender account is suspended or closed."


class UnverifiedAccount_Recipient(FpsError):  # noqa: N801
    message = "The recipient account needs a verified bank account or US credit card."
    retriable = False


class UnverifiedAccount_Sender(FpsError):  # noqa: N801
    message = "The sender account needs a verified bank account or US credit card."
    retriable = False


class UnverifiedBankAccount(FpsError):
    message = "A verified bank account is required for this transaction."
    retriable = False


class UnverifiedEmailAddress_Caller(FpsError):  # noqa: N801
    message = "The caller's e-mail address is not verified."
    retriable = False


class UnverifiedEmailAddress_Recipient(FpsError):  # noqa: N801
    message = "The recipient's e-mail address is not verified."
    retriable = False


class UnverifiedEmailAddress_Sender(FpsError):  # noqa: N801
    message = "The sender's e-mail address is not verified."
    retriable = False


# --- money and limits -------------------------------------------------------------------
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


# --- tokens and instruments ---------------------------------------------------------------
class InvalidTokenId(FpsError):
    message = "The token {token_id} is not a valid token installed by you."
    retriable = False


class InvalidTokenId_Sender(FpsError):  # noqa: N801
    message = "The sender token {token_id} is invalid, cancelled or not active."
    retriable = False


class InvalidTokenId_Recipient(FpsError):  # noqa: N801
    message = "The recipient token {token_id} is invalid or cancelled."
    retriable = False


class TokenNotActive(FpsError):
    message = "The token {token_id} is not active."
    retriable = False


class TokenNotActive_Sender(FpsError):  # noqa: N801
    message = "The sender token {token_id} is not active."
    retriable = False


class TokenNotActive_Recipient(FpsError):  # noqa: N801
    message = "The recipient token {token_id} is not active."
    retriable = False


class TokenAccessDenied(FpsError):
    message = "Permission to cancel the token is denied."
    retriable = False


class TokenUsageError(FpsError):
    message = "The token usage limit is exceeded."
    retriable = False


class InvalidTokenType(FpsError):
    message = "The operation is not valid for this token type."
    retriable = False


class IncompatibleTokens(FpsError):
    message = "The tokens have incompatible payment instructions."
    retriable = False


class SameTokenIdUsedMultipleTimes(FpsError):
    message = "This token has already been used."
    retriable = False


class InstrumentAccessDenied(FpsError):
    message = "The caller is not the recipient of instrument {instrument_id}."
    retriable = False


class InstrumentExpired(FpsError):
    message = "The instrument {instrument_id} has expired."
    retriable = False


class InactiveInstrument(FpsError):
    message = "The payment instrument is inactive."
    retriable = False


class InvalidCallerReference(FpsError):
    message = "There is no token associated with the caller reference {caller_reference}."
    retriable = False


# --- transactions -----------------------------------------------------------------------
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
