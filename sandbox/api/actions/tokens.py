"""Token management: CancelToken, GetTokenByCaller, GetTokens, GetTokenUsage, GetRecipientVerificationStatus."""

from __future__ import annotations

from ...domain import recipients, token_management
from ...domain.call import Call
from ..params import OVERRIDE_IPN_URL, Args, text, token_id
from .registry import action


@action("CancelToken", token_id("TokenId"), text("ReasonText", 1024), OVERRIDE_IPN_URL, writes=True)
def cancel_token(call: Call, args: Args) -> dict:
    """Cancel a token the caller installed; any later use is refused. Cancelling twice is harmless."""
    token_management.cancel(call.conn, call.caller, args.token_id, args.reason_text, call.now,
                            call.override_ipn_url)
    return {}


@action("GetTokenByCaller", token_id("TokenId", required=False), text("CallerReference"))
def get_token_by_caller(call: Call, args: Args) -> dict:
    """One of the caller's tokens, by TokenId or by the CallerReference it was installed with."""
    return {"found": token_management.by_caller(call.conn, call.caller, args.token_id, args.caller_reference)}


@action("GetTokens", text("TokenStatus", 16), text("TokenType", 16), text("CallerReference"),
        text("TokenFriendlyName"))
def get_tokens(call: Call, args: Args) -> dict:
    """The caller's tokens, newest first, filtered by status, type, reference or friendly name."""
    return {"tokens": token_management.listing(
        call.conn, call.caller, status=args.token_status, token_type=args.token_type,
        caller_reference=args.caller_reference, friendly_name=args.token_friendly_name)}


@action("GetTokenUsage", token_id("TokenId"))
def get_token_usage(call: Call, args: Args) -> dict:
    """Each usage limit of a token against what was used in its current period."""
    return {"usages": token_management.usage(call.conn, call.caller, args.token_id, call.now)}


@action("GetRecipientVerificationStatus", token_id("RecipientTokenId"))
def get_recipient_verification_status(call: Call, args: Args) -> dict:
    """Whether the account a recipient token pays is verified and can receive money.

    Deviations: the value set is unconfirmed; any of the caller's tokens answers
    FPS_RECIPIENT_VERIFICATION_STATUS (default Active), the special recipient test tokens answer
    PendingUserAction, PendingReview and Closed.
    """
    return {"status": recipients.verification_status(call.conn, call.caller, args.recipient_token_id,
                                                     call.policy.recipient_verification_status)}
