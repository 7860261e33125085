"""The call value: what every money operation of one API call needs, built once by the dispatcher."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from .accounts import Earlier, Party
from .driver_sql import Read
from .ids import IdGenerator
from .outcomes import Forced
from .policy import Policy


@dataclass(frozen=True)
class Call:
    """One unit of work for one caller: its connection and clock, the sandbox's rules and ids, and
    what the request said about itself (CallerReference and the request's fingerprint, to tell a
    replay from a different request; the descriptions; where its notifications go; an outcome an
    armed fault forces)."""

    conn: Connection
    caller: Party
    now: datetime
    ids: IdGenerator
    policy: Policy
    caller_reference: str | None = None
    fingerprint: str | None = None
    caller_description: str | None = None
    sender_description: str | None = None
    forced: Forced | None = None
    override_ipn_url: str | None = None  # OverrideIPNURL: this call's notifications go here
    earlier: Earlier | None = None  # the CallerReference's earlier transaction, looked up with the caller
    read: Read | None = None  # the handler's read, answered with the caller (accounts.caller_context)
