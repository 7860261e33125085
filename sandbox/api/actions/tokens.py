"""Token management: CancelToken, GetTokenByCaller, GetTokens, GetTokenUsage."""

from __future__ import annotations

from ...domain import token_management
from ..params import Params
from .registry import Context, action


@action("CancelToken", required=("TokenId",), optional=("ReasonText",), writes=True)
def cancel_token(ctx: Context, p: Params) -> dict:
    """Cancel a token the caller installed; any later use is refused. Cancelling twice is harmless."""
    token_management.cancel(ctx.conn, ctx.caller, p.required("TokenId", 65), p.optional("ReasonText", 1024),
                            ctx.now)
    return {}


@action("GetTokenByCaller", optional=("TokenId", "CallerReference"))
def get_token_by_caller(ctx: Context, p: Params) -> dict:
    """One of the caller's tokens, by TokenId or by the CallerReference it was installed with."""
    return {"found": token_management.by_caller(ctx.conn, ctx.caller, p.optional("TokenId", 65),
                                                p.optional("CallerReference", 128))}


@action("GetTokens", optional=("TokenStatus", "TokenType", "CallerReference", "TokenFriendlyName"))
def get_tokens(ctx: Context, p: Params) -> dict:
    """The caller's tokens, newest first, filtered by status, type, reference or friendly name."""
    return {"tokens": token_management.listing(
        ctx.conn, ctx.caller, status=p.optional("TokenStatus", 16), token_type=p.optional("TokenType", 16),
        caller_reference=p.optional("CallerReference", 128), friendly_name=p.optional("TokenFriendlyName", 128))}


@action("GetTokenUsage", required=("TokenId",))
def get_token_usage(ctx: Context, p: Params) -> dict:
    """Each usage limit of a token against what was used in its current period."""
    return {"usages": token_management.usage(ctx.conn, ctx.caller, p.required("TokenId", 65), ctx.now)}
