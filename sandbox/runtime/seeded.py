"""Deterministic mode: a sandbox with a seed answers the same ids and the same times on every run.

Each request that can make something (a Query-API call, a Co-Branded page, a console form) takes the
next number n from its sandbox's own counter, kept in the sandbox's database so that every server
process shares it. The request's ids (RequestId, token, instrument and transaction ids) are drawn from
`Random("<seed>/<n>")`, and its clock reads the epoch plus n seconds plus the sandbox clock's offset.
So the same calls in the same order give the same XML, whichever server process answers them, and two
processes never draw the same ids. Pages that only show read the clock without taking a number.

In this mode the background worker leaves due Pending transactions to the next request (which completes
them at its own time, as every call does), so a completion's time does not depend on when the worker
woke; it still delivers notifications.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, cast, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..domain.clock import Clock, SharedClock
from ..domain.ids import IdGenerator
from ..models import SandboxMeta
from .services import Services
from .storage import Storage

KEY = "seed_sequence"
_NEXT = (update(SandboxMeta).where(SandboxMeta.key == KEY)
         .values(value=cast(cast(SandboxMeta.value, Integer) + 1, String)).returning(SandboxMeta.value))
_CURRENT = select(SandboxMeta.value).where(SandboxMeta.key == KEY)


class SeededClock(Clock):
    """The epoch plus one second per numbered request plus the shared offset (moved from the console as
    the ordinary clock is)."""

    def __init__(self, shared: SharedClock, start: datetime) -> None:
        self.shared, self.start = shared, start  # no Clock.__init__: the offset is the shared clock's

    @property
    def offset(self) -> timedelta:  # type: ignore[override]
        self.shared.now()  # re-reads the shared offset when it is due
        return self.shared.offset

    def now(self) -> datetime:
        return self.start + self.offset

    def move(self, offset: timedelta) -> None:
        self.shared.move(offset)

    def refresh(self) -> None:
        self.shared.refresh()


def next_number(storage: Storage) -> int:
    """Take the sandbox's next request number (1, 2, ...)."""
    for _ in range(2):
        try:
            with storage.write() as conn:
                value = conn.execute(_NEXT).scalar()
                if value is None:
                    conn.execute(insert(SandboxMeta).values(key=KEY, value="1"))
                return int(value or 1)
        except IntegrityError:  # another process inserted the first number at the same moment
            continue
    raise RuntimeError("could not number the request")


def current_number(storage: Storage) -> int:
    """The number the last request took (0 before any)."""
    with storage.read() as conn:
        return int(conn.execute(_CURRENT).scalar() or 0)


def for_request(svc: Services, numbered: bool) -> Services:
    """The services one request in a seeded sandbox uses: ids and clock from its number (`numbered`: take
    the next; else read the current, for a page that only shows). An unseeded sandbox's are its own."""
    if svc.seed is None:
        return svc
    n = next_number(svc.storage) if numbered else current_number(svc.storage)
    clock = svc.clock
    if isinstance(clock, SharedClock):  # a clock fixed by the configuration (tests) stays fixed
        clock = SeededClock(clock, svc.epoch + timedelta(seconds=n))
    return replace(svc, ids=IdGenerator(f"{svc.seed}/{n}"), clock=clock, completes=numbered, base=svc)
