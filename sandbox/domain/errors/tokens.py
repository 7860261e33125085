"""FPS error codes: tokens and instruments."""

from __future__ import annotations

from .base import FpsError


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
