"""Transaction statuses and the StatusMessage for each StatusCode, in one place (no imports of the
domain's modules but errors, so every module may use it)."""

from __future__ import annotations

from . import errors

STATUS_MESSAGES = {
    "Success": "The transaction was successful and the payment instrument was charged.",
    "PendingNetworkResponse": "The transaction is awaiting a response from the backend payment processor.",
    "TemporaryDecline": "The payment processor declined the transaction for now (sandbox amount trigger .60-.69).",
    "Canceled": "The transaction was cancelled by the caller.",
}


def status_message(code: str) -> str:
    """The StatusMessage for a StatusCode (an error code's own message for failures)."""
    if code in STATUS_MESSAGES:
        return STATUS_MESSAGES[code]
    return errors.REGISTRY[code].message if code in errors.REGISTRY else code
