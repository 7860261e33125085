"""FPS error codes: accounts."""

from __future__ import annotations

from .base import FpsError


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
