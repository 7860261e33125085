"""The admin console face: inspect and control the sandbox. Each module registers its pages on the
blueprint (admin/blueprint.py)."""

from . import (  # noqa: F401  (each registers its pages)
    accounts, actions, classroom, codes, control, diagrams, exports, faults, instruments, ledger, lessons, notifications, playground, recipes,
    requests, teaching, transactions, views,
)
from .blueprint import bp, host_guard

__all__ = ["bp", "host_guard"]
