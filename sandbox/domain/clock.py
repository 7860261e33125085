"""The sandbox clock: real time plus an offset, so validity windows can be shown moving.

Domain functions take `now` as an argument; the faces read it from a Clock. Timestamps are
naive UTC datetimes throughout the sandbox.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone


def utcnow() -> datetime:
    """The real current time, naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Clock:
    """Real time shifted by `offset`; `FixedClock` pins it for tests."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return utcnow() + self.offset


class FixedClock(Clock):
    """A clock that reads `at` until moved with `advance`."""

    def __init__(self, at: datetime) -> None:
        super().__init__()
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta


class SharedClock(Clock):
    """Real time plus an offset that every server process shares (kept by `load`/`save` callables,
    i.e. in the database), re-read at most once every `ttl` seconds."""

    def __init__(self, load, save, ttl: float = 1.0) -> None:
        super().__init__()
        self._load, self._save, self._ttl = load, save, ttl
        self._read_at = float("-inf")

    def now(self) -> datetime:
        if time.monotonic() - self._read_at > self._ttl:
            self.offset, self._read_at = self._load(), time.monotonic()
        return utcnow() + self.offset

    def refresh(self) -> None:
        """Re-read the offset on the next `now()` (the console shows another process's move at once)."""
        self._read_at = float("-inf")

    def move(self, offset: timedelta) -> None:
        """Set the offset from real time (0: back to real time)."""
        if offset < timedelta(0):
            raise ValueError("the sandbox clock only moves forward from real time")
        self._save(offset)
        self.offset, self._read_at = offset, time.monotonic()
