"""The action registry: each FPS action with its declared parameters, next to its handler.

A handler receives the domain's call value (domain/call.py) and its parsed parameters
(api/params.py: `args.<name>`), calls the domain and returns the values its template
(templates/fps/<Action>.xml) renders (an action answering with its transaction, or a balance, alone
returns `result` or `balance`: api/render.py's `TXN_ANSWERS`, `BALANCE_ANSWERS`). The first docstring
line is the FPS purpose; a `Deviations:` line says where the sandbox differs. Handlers live in one module
per FPS area; the package imports them all, so that they register.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from ...domain.call import Call
from ...domain.driver_sql import Read
from ..params import Args, Param

Handler = Callable[[Call, Args], dict]
Prefetch = Callable[[dict[str, str]], Read | None]  # the request's parameters -> the handler's read, ahead


@dataclass(frozen=True)
class Action:
    name: str
    handler: Handler
    params: tuple[Param, ...]
    writes: bool
    public: bool = False  # answered without credentials too (VerifySignature, as FPS's own helpers call it)
    one_read: bool = False  # answered by one statement after the caller's: no snapshot needed (storage.read)
    prefetch: Prefetch | None = None  # the handler's read, read with the caller's (call.read; views._authenticate)

    @cached_property  # read on every request: worked out once
    def required(self) -> tuple[str, ...]:
        """The request parameter names that must be given."""
        return tuple(name for param in self.params for name in param.required_names)

    @cached_property  # read on every request: worked out once
    def allowed(self) -> frozenset[str]:
        """Every parameter name the action has, in any API version."""
        return frozenset(name for param in self.params for name in param.names)

    def allowed_in(self, version: str) -> frozenset[str]:
        """The parameter names a request of API `version` may send (worked out once per version)."""
        if version not in self._allowed_in:
            self._allowed_in[version] = frozenset(name for p in self.params if p.since is None or version >= p.since
                                                  for name in p.names)
        return self._allowed_in[version]

    @cached_property
    def _allowed_in(self) -> dict[str, frozenset[str]]:
        return {}

    @cached_property  # read on every request: worked out once
    def takes_caller_reference(self) -> bool:
        return any(param.to_call and param.name == "CallerReference" for param in self.params)


REGISTRY: dict[str, Action] = {}
# Known FPS actions that this sandbox does not emulate yet: answered with a clear InvalidAction.
NOT_YET = (
    "CancelSubscriptionAndRefund", "GetPaymentInstruction", "InstallPaymentInstruction", "Reserve", "Settle",
    "GetSubscriptionDetails", "GetTransactionsForSubscription",
)


def action(name: str, *params: Param | tuple[Param, ...], writes: bool = False, public: bool = False,
           one_read: bool = False, prefetch: Prefetch | None = None):
    """Register a handler for the FPS action `name`, with its parameters in the order they are read."""
    flat = tuple(p for group in params for p in (group if isinstance(group, tuple) else (group,)))

    def register(handler: Handler) -> Handler:
        REGISTRY[name] = Action(name, handler, flat, writes, public, one_read, prefetch)
        return handler

    return register
