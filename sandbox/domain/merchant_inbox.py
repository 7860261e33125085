"""The merchant inbox's IPN catcher: what each named catcher received, verified, and answered.

A catcher answers a chosen HTTP status to its first N deliveries (`?status=503&times=1` on its
URL), so a test sees a delivery fail, be retried on the schedule, and arrive.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select

from ..models import CaughtNotification

NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
MAX_PARAMS = 20_000  # characters of JSON kept per notification


@dataclass(frozen=True)
class Answer:
    """How a catcher answers: `status` to the first `times` deliveries (all when None), 200 after."""

    status: int = 200
    times: int | None = None

    @classmethod
    def from_query(cls, status: str | None, times: str | None) -> Answer:
        """From the catcher URL's query; ValueError names what is wrong."""
        if status in (None, ""):
            return cls()
        if not (status.isascii() and status.isdigit() and 200 <= int(status) <= 599):
            raise ValueError("status must be an HTTP status from 200 to 599")
        if times in (None, ""):
            return cls(int(status))
        if not (times.isascii() and times.isdigit() and 1 <= int(times) <= 100):
            raise ValueError("times must be a whole number from 1 to 100")
        return cls(int(status), int(times))

    def status_for(self, received_before: int) -> int:
        return self.status if self.times is None or received_before < self.times else 200


def catch(conn: Connection, name: str, params: dict, verified: bool, answer: Answer, now: datetime) -> tuple[int, int]:
    """Keep one received notification; answers (its id, the HTTP status to answer with)."""
    before = conn.execute(select(func.count()).select_from(CaughtNotification)
                          .where(CaughtNotification.name == name)).scalar_one()
    status = answer.status_for(before)
    text = json.dumps(params, ensure_ascii=False)
    pk = conn.execute(insert(CaughtNotification).values(
        name=name, at=now, params=text if len(text) <= MAX_PARAMS else json.dumps({"_cut": text[:MAX_PARAMS]}),
        verified=verified, answered=status)).inserted_primary_key[0]
    return pk, status


@dataclass
class Caught:
    id: int
    name: str
    at: datetime
    params: dict
    verified: bool
    answered: int


def received(conn: Connection, name: str | None = None, limit: int = 100) -> list[Caught]:
    """The newest notifications caught (by one catcher, or by all)."""
    query = select(CaughtNotification).order_by(CaughtNotification.id.desc()).limit(limit)
    if name is not None:
        query = query.where(CaughtNotification.name == name)
    return [Caught(r.id, r.name, r.at, json.loads(r.params), r.verified, r.answered)
            for r in conn.execute(query).all()]


def names(conn: Connection) -> list[tuple[str, int]]:
    """Each catcher that received something, with how many."""
    return [tuple(r) for r in conn.execute(
        select(CaughtNotification.name, func.count()).group_by(CaughtNotification.name)
        .order_by(CaughtNotification.name)).all()]


def forget(conn: Connection, name: str) -> int:
    """Empty one catcher; answers how many it held."""
    return conn.execute(delete(CaughtNotification).where(CaughtNotification.name == name)).rowcount
