"""The action registry: each FPS action with its parameters, declared next to its handler.

A handler reads typed parameters, calls the domain and returns the values its template
(templates/fps/<Action>.xml) renders. The first docstring line is the FPS purpose; a
`Deviations:` line says where the sandbox differs. Handlers live in one module per FPS area;
the package imports them all, so that they register.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from ...runtime.certs import Signer
from ...domain.accounts import Party
from ...domain.ids import IdGenerator
from ...domain.outcomes import Forced
from ...domain.policy import Policy
from ..auth import COMMON_PARAMS
from ..params import Params


@dataclass
class Context:
    """What a handler may use: the unit of work's connection, the caller and the sandbox services."""

    conn: Connection
    caller: Party
    now: datetime
    ids: IdGenerator
    policy: Policy
    signer: Signer
    forced: Forced | None = None  # an armed pending_fail fault for this call


@dataclass(frozen=True)
class Action:
    name: str
    handler: Callable[[Context, Params], dict]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    writes: bool

    @property
    def allowed(self) -> frozenset[str]:
        return frozenset(self.required + self.optional)


REGISTRY: dict[str, Action] = {}
# Known FPS actions that this sandbox does not emulate yet: answered with a clear InvalidAction.
NOT_YET = (
    "CancelSubscriptionAndRefund", "GetPaymentInstruction", "GetRecipientVerificationStatus",
    "InstallPaymentInstruction", "Reserve", "Settle", "GetSubscriptionDetails",
    "GetTransactionsForSubscription",
)


def amount_params(prefix: str) -> tuple[str, str]:
    return (f"{prefix}.Value", f"{prefix}.CurrencyCode")


def action(name: str, *, required: tuple[str, ...] = (), optional: tuple[str, ...] = (), writes: bool = False):
    """Register a handler for the FPS action `name`."""

    def register(handler: Callable[[Context, Params], dict]) -> Callable[[Context, Params], dict]:
        REGISTRY[name] = Action(name, handler, required, optional, writes)
        return handler

    return register


def business_params(p: Params) -> dict[str, str]:
    """The parameters that say what a request asks for (everything but authentication)."""
    return {k: v for k, v in p.values.items() if k not in COMMON_PARAMS}


DESCRIPTIONS = ("CallerDescription", "SenderDescription")
DESCRIPTOR = ("DescriptorPolicy.SoftDescriptorType", "DescriptorPolicy.CSOwner", "TransactionTimeoutInMins")
