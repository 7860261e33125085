"""Guided lesson runs: which lesson, the caller and buyer it made for itself, and what each step did (the
request, the response, the money before and after), kept as JSON with the run."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from ..models import LessonRun


@dataclass
class Run:
    id: int
    lesson: str
    caller_id: int
    buyer_id: int
    created_at: datetime
    ids: dict = field(default_factory=dict)  # what the run installed: instrument and token ids
    done: dict = field(default_factory=dict)  # step key -> what it did

    def state(self) -> str:
        return json.dumps({"ids": self.ids, "done": self.done})


def create(conn: Connection, lesson: str, caller_id: int, buyer_id: int, now: datetime) -> Run:
    run = Run(0, lesson, caller_id, buyer_id, now)
    run.id = conn.execute(insert(LessonRun).values(lesson=lesson, caller_id=caller_id, buyer_id=buyer_id,
                                                   created_at=now, state=run.state())).inserted_primary_key[0]
    return run


def load(conn: Connection, run_id: int) -> Run | None:
    row = conn.execute(select(LessonRun.__table__).where(LessonRun.id == run_id)).first()
    if row is None:
        return None
    state = json.loads(row.state)
    return Run(row.id, row.lesson, row.caller_id, row.buyer_id, row.created_at, state.get("ids", {}),
               state.get("done", {}))


def save(conn: Connection, run: Run) -> None:
    conn.execute(update(LessonRun).where(LessonRun.id == run.id).values(state=run.state()))


def recent(conn: Connection, limit: int = 10) -> list:
    return conn.execute(select(LessonRun.id, LessonRun.lesson, LessonRun.created_at)
                        .order_by(LessonRun.id.desc()).limit(limit)).all()
