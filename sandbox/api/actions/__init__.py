"""FPS actions: the registry (actions/registry.py) and one module of handlers per FPS area, each
registering its actions when imported here."""

from . import account, postpaid, prepaid, signatures, tokens, transactions  # noqa: F401  (handlers register)
from .registry import NOT_YET, REGISTRY, Action, action

__all__ = ["NOT_YET", "REGISTRY", "Action", "action"]
