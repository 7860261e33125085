"""Tables only: accounts, payment methods, instruments, tokens, transactions, ledger, and the
sandbox's own (notifications, faults, the request log, pipelines) and the classroom's (sandboxes, their keys, snapshots).

Plain SQLAlchemy (no Flask), so the domain can use these tables. Money columns hold integer
cents; timestamps are naive UTC. A change to a table ships as a migration (CONTRIBUTING.md).
"""

from .accounts import Account, PaymentMethod
from .base import Base, partial_index
from .classroom import KEPT, Sandbox, SandboxKey, Snapshot
from .instruments import Instrument, Token, UsageLimit
from .sandbox import (ApiCall, CaughtNotification, CbuiPipeline, DeliveryAttempt, Fault, LessonRun, Notification,
                      SandboxMeta)
from .transactions import (BookTotal, CallerDayTotal, CallerTotal, FpsTransaction, LedgerEntry, PayAmountTotal,
                           StatusHistory)

__all__ = ["Account", "ApiCall", "Base", "BookTotal", "CallerDayTotal", "CallerTotal", "CaughtNotification",
           "CbuiPipeline", "DeliveryAttempt", "Fault", "FpsTransaction", "Instrument", "LedgerEntry", "LessonRun",
           "Notification", "KEPT", "PayAmountTotal", "PaymentMethod", "Sandbox", "SandboxKey", "SandboxMeta", "Snapshot", "StatusHistory",
           "Token", "UsageLimit", "partial_index"]
