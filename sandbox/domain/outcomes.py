"""Forcing outcomes, as the FPS sandbox did and beyond (fps-spec.md §10):

* special sender and recipient token IDs produce their account-state errors;
* amounts whose cents fall in .60–.89 make a FundPrepaid or SettleDebt fail: .6x is a temporary
  decline (Pending, then Failure), .7x fails (Failure, TransactionDenied), .8x is refused with
  InsufficientBalance (configurable: FPS_AMOUNT_TRIGGERS);
* armed faults: the next N calls (all, or a share) of an action fail with an error code, go
  Pending and then fail, or answer late.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, insert, or_, select, update

from ..models import Fault
from . import errors
from .money import plain
from .statuses import Operation

# fps-spec.md §10 (the 2007 sandbox table, still cited for 2008-09-17).
SPECIAL_SENDER_TOKENS = {
    "E3FR7BARJV3PB631PMKV74PGKCJLBHI1Q1KMQN7BJ2JJICPDKN3N1CJIKFZ8D7NN": "UnverifiedEmailAddress_Sender",
    "H216UECZ8ZM1G8G4QA3V7RKF8JDFZ9SI3SJAFSGUKBBNDHX1NVM8GUQRZNRNAHER": "InvalidAccountState_Sender",
    "Z1LGRXR4HMDZBSFKXELA32KZASGWD8IHMHZCK4DETR784LDLD1GMFW4P3WT8VTGX": "AccountClosed",
}
SPECIAL_RECIPIENT_TOKENS = {
    "C4LGSEMXN11FTUXZ2X2C7QVFHN5DVBGQJNF17AIQXXXQSX4DRG4KJFCN2KRFUUZI": "UnverifiedEmailAddress_Recipient",
    "R3VK49XVGCAZTJSXKN7ZSBHPMFGKM5VEEQTXGMVE8CFUZ2G5RLLMAB4J6TQRL6BU": "InvalidAccountState_Recipient",
    "P1LL7A1LHK935DBGI5NAYCXOCLVEBHBNIU7PBXBAMRKKNLDEPI8M3MUSLZT2VANZ": "AccountClosed",
}
WHY = {"UnverifiedEmailAddress_Sender": "the sender's e-mail address is not verified",
       "UnverifiedEmailAddress_Recipient": "the recipient's e-mail address is not verified",
       "InvalidAccountState_Sender": "the sender's account is suspended",
       "InvalidAccountState_Recipient": "the recipient's account is suspended",
       "AccountClosed": "the account is closed"}

MODES = ("error", "pending_fail", "delay")
PENDING_ACTIONS = Operation.COLLECTING  # the actions that have a Pending state here
MAX_DELAY_MS = 30_000


def check_special_tokens(sender_token_id: str | None, recipient_token_id: str | None = None) -> None:
    """The account-state error a special sandbox token ID stands for (fps-spec.md §10)."""
    for token_id, table in ((sender_token_id, SPECIAL_SENDER_TOKENS), (recipient_token_id, SPECIAL_RECIPIENT_TOKENS)):
        code = table.get(token_id or "")
        if code:
            raise errors.error_class(code)(f"{errors.error_class(code).message} (sandbox test token: {WHY[code]}.)")


@dataclass(frozen=True)
class Forced:
    """What an amount trigger or an armed fault makes of a money movement."""

    outcome: str  # the StatusCode it ends with
    pending: bool  # go through Pending first, whatever the payment method


def amount_trigger(amount_cents: int, enabled: bool) -> Forced | None:
    """.6x: temporary decline; .7x: Failure; .8x: InsufficientBalance (raised here)."""
    if not enabled:
        return None
    cents = amount_cents % 100
    if 60 <= cents <= 69:
        return Forced("TemporaryDecline", pending=True)
    if 70 <= cents <= 79:
        return Forced("TransactionDenied", pending=False)
    if 80 <= cents <= 89:
        raise errors.InsufficientBalance(
            f"The transaction exceeds the account/instrument limits. (Sandbox amount trigger: cents of "
            f"{plain(cents)} in .80–.89.)")
    return None


@dataclass(frozen=True)
class ArmedFault:
    id: int
    mode: str
    error_code: str | None
    delay_ms: int


_FAULTS = Fault.__table__
_MATCHING = (select(_FAULTS).where(or_(_FAULTS.c.action == bindparam("action"), _FAULTS.c.action == "*"),
                                   or_(_FAULTS.c.remaining.is_(None), _FAULTS.c.remaining > 0))
             .order_by(_FAULTS.c.id))


def matching(conn: Connection, action: str, rng: random.Random | None = None) -> ArmedFault | None:
    """The first armed fault that applies to this call of `action` (a share fault draws its lot)."""
    for row in conn.execute(_MATCHING, {"action": action}).all():
        if row.mode == "pending_fail" and action not in PENDING_ACTIONS:
            continue
        if row.per_mille is not None and (rng or random).randrange(1000) >= row.per_mille:
            continue
        return ArmedFault(row.id, row.mode, row.error_code, row.delay_ms)
    return None


def consume(conn: Connection, fault: ArmedFault) -> bool:
    """Count one use of the fault; False if another request used its last one first."""
    taken = conn.execute(update(Fault).where(Fault.id == fault.id, or_(Fault.remaining.is_(None), Fault.remaining > 0))
                         .values(remaining=Fault.remaining - 1, hits=Fault.hits + 1)).rowcount
    return taken == 1


def forced_error(fault: ArmedFault) -> errors.FpsError:
    """The FPS error an error fault answers with (its usual message, marked as forced)."""
    cls = errors.error_class(fault.error_code)
    text = cls.message.format_map(defaultdict(lambda: "(forced)"))
    return cls(f"{text} (Forced by armed fault #{fault.id}.)")


def arm(conn: Connection, *, action: str, mode: str, error_code: str | None = None, count: int | None = None,
        per_mille: int | None = None, delay_ms: int = 0, now: datetime, known_actions) -> int:
    """Arm a fault; ValueError names what is wrong with the request."""
    if action != "*" and action not in known_actions:
        raise ValueError(f"unknown action {action!r}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    if mode == "error" and error_code not in errors.REGISTRY:
        raise ValueError(f"unknown FPS error code {error_code!r}")
    if mode == "pending_fail":
        if action not in PENDING_ACTIONS:
            raise ValueError(f"pending_fail applies to {', '.join(PENDING_ACTIONS)}: other actions complete at once")
        error_code = error_code or "TransactionDenied"
    if mode == "delay" and not 0 < delay_ms <= MAX_DELAY_MS:
        raise ValueError(f"delay_ms must be between 1 and {MAX_DELAY_MS}")
    if count is not None and count < 1:
        raise ValueError("count must be at least 1 (or left out for every call)")
    if per_mille is not None and not 1 <= per_mille <= 1000:
        raise ValueError("the share must be between 0.1% and 100%")
    return conn.execute(insert(Fault).values(action=action, mode=mode, error_code=error_code, remaining=count,
                                             per_mille=per_mille, delay_ms=delay_ms, created_at=now)
                        ).inserted_primary_key[0]


def disarm(conn: Connection, fault_id: int | None = None) -> int:
    """Disarm one fault, or all of them; answers how many."""
    query = delete(Fault) if fault_id is None else delete(Fault).where(Fault.id == fault_id)
    return conn.execute(query).rowcount


def listing(conn: Connection) -> list:
    return conn.execute(select(_FAULTS).order_by(_FAULTS.c.id)).all()
