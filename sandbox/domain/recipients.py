"""Recipient verification (fps-spec.md §4.4, GetRecipientVerificationStatus): whether the account a
recipient token pays is ready to receive money.

In Aggregated Payments the caller is the recipient of every token it installs, so any of the
caller's tokens names a recipient here. The sandbox's special recipient tokens (fps-spec.md §10)
answer the statuses a tester needs; every other token answers the configured status
(FPS_RECIPIENT_VERIFICATION_STATUS, default Active): the value set is unconfirmed.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from ..models import Token
from . import errors, outcomes
from .accounts import Party

STATUSES = ("Active", "PendingUserAction", "PendingReview", "Closed",  # seen in published client code
            "VerificationPending", "VerificationComplete", "VerificationCompleteNoLimits")  # remembered only
FOR_SPECIAL_TOKEN = {"UnverifiedEmailAddress_Recipient": "PendingUserAction",
                     "InvalidAccountState_Recipient": "PendingReview", "AccountClosed": "Closed"}


def verification_status(conn: Connection, caller: Party, recipient_token_id: str, verified: str) -> str:
    """The RecipientVerificationStatus of the account `recipient_token_id` pays; `verified` is the answer
    for an account in good standing. InvalidTokenId_Recipient for a token the caller did not install."""
    special = outcomes.SPECIAL_RECIPIENT_TOKENS.get(recipient_token_id)
    if special is not None:
        return FOR_SPECIAL_TOKEN[special]
    caller_id = conn.execute(select(Token.caller_id).where(Token.token_id == recipient_token_id)).scalar()
    if caller_id != caller.id:
        raise errors.InvalidTokenId_Recipient(token_id=recipient_token_id)
    return verified
