"""The sandbox clock: real time plus an offset, so validity windows can be shown moving.

Domain functions take `now` as an argument; the faces read it from a Clock. Timestamps are
naive UTC datetimes throughout the sandbox.
"""

from __future__ import annotations

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
