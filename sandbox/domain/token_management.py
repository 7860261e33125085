"""Token management (fps-spec.md §4.4): CancelToken, GetTokenByCaller, GetTokens, GetTokenUsage.

A caller sees and cancels only the tokens it installed. A cancelled token stays in the books as
Inactive, and every later use of it is refused with TokenNotActive_Sender (tokens.check_usable).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update

from ..models import Token
from . import errors, notifications
from .accounts import Party
from .statuses import TokenStatus
from .tokens import limits_of, period_start, used_since

TOKEN_STATUSES = TokenStatus.ALL
TOKEN_TYPES = ("SingleUse", "MultiUse", "Recurring", "Unrestricted")


def _own(conn: Connection, caller: Party, token_id: str):
    token = conn.execute(select(Token.__table__).where(Token.token_id == token_id)).first()
    if token is None or token.caller_id != caller.id:
        raise errors.InvalidTokenId(token_id=token_id)
    return token


def cancel(conn: Connection, caller: Party, token_id: str, reason: str | None, now: datetime,
           override_ipn_url: str | None = None) -> bool:
    """CancelToken: make the token Inactive; True if this call cancelled it (False: it already was). The
    TokenCancellation notification goes to `override_ipn_url` if given, else to the caller's IPN URL."""
    token = _own(conn, caller, token_id)
    if token.status == TokenStatus.INACTIVE:
        return False
    conn.execute(update(Token).where(Token.id == token.id).values(
        status=TokenStatus.INACTIVE, cancelled_at=now, cancel_reason=reason))
    notifications.enqueue(conn, caller_id=caller.id, now=now, notification_type="TokenCancellation",
                          token_pk=token.id, url=override_ipn_url)
    return True


def by_caller(conn: Connection, caller: Party, token_id: str | None, caller_reference: str | None):
    """GetTokenByCaller: the caller's token by its id or by its caller reference (exactly one)."""
    if (token_id is None) == (caller_reference is None):
        raise errors.InvalidParams("Give exactly one of TokenId and CallerReference.")
    if token_id is not None:
        return _own(conn, caller, token_id)
    token = conn.execute(select(Token.__table__).where(
        Token.caller_id == caller.id, Token.caller_reference == caller_reference)).first()
    if token is None:
        raise errors.InvalidCallerReference(caller_reference=caller_reference)
    return token


def listing(conn: Connection, caller: Party, *, status: str | None = None, token_type: str | None = None,
            caller_reference: str | None = None, friendly_name: str | None = None, limit: int = 1000) -> list:
    """GetTokens: the caller's tokens, newest first, filtered as asked."""
    if status is not None and status not in TOKEN_STATUSES:
        raise errors.InvalidParams(f"TokenStatus must be one of {', '.join(TOKEN_STATUSES)}, not {status[:20]!r}.")
    if token_type is not None and token_type not in TOKEN_TYPES:
        raise errors.InvalidParams(f"TokenType must be one of {', '.join(TOKEN_TYPES)}, not {token_type[:20]!r}.")
    if friendly_name is not None:
        return []  # tokens installed through the Co-Branded pipelines here have no friendly name
    query = select(Token.__table__).where(Token.caller_id == caller.id)
    for column, value in ((Token.status, status), (Token.token_type, token_type),
                          (Token.caller_reference, caller_reference)):
        if value is not None:
            query = query.where(column == value)
    return conn.execute(query.order_by(Token.id.desc()).limit(limit)).all()


@dataclass(frozen=True)
class Usage:
    """One TokenUsageLimits element: the limit, what was used since its period started, and when."""

    kind: str  # Amount | Count
    limit: int
    used: int
    period_started: datetime


def usage(conn: Connection, caller: Party, token_id: str, now: datetime) -> list[Usage]:
    """GetTokenUsage: each usage limit of the token against what it has been used for this period."""
    token = _own(conn, caller, token_id)
    out = []
    for limit in limits_of(conn, token.id):
        since = period_start(token.validity_start, now, limit.period_count, limit.period_unit)
        cents, count = used_since(conn, token.id, since)
        out.append(Usage(limit.kind, limit.value, cents if limit.kind == "Amount" else count, since))
    return out
