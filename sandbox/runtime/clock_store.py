"""The sandbox clock's offset, kept in the database so that every server process follows it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import SQLAlchemyError

from ..domain.clock import SharedClock
from ..models import SandboxMeta
from .storage import Storage

KEY = "clock_offset_seconds"


def shared_clock(storage: Storage) -> SharedClock:
    def load() -> timedelta:
        try:
            with storage.read() as conn:
                value = conn.execute(select(SandboxMeta.value).where(SandboxMeta.key == KEY)).scalar()
        except SQLAlchemyError:  # no tables yet (before init-db): real time
            return timedelta(0)
        return timedelta(seconds=float(value)) if value else timedelta(0)

    def save(offset: timedelta) -> None:
        with storage.write() as conn:
            conn.execute(delete(SandboxMeta).where(SandboxMeta.key == KEY))
            if offset:
                conn.execute(insert(SandboxMeta).values(key=KEY, value=str(offset.total_seconds())))

    return SharedClock(load, save)
