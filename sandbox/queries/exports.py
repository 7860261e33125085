"""What the console exports: whole tables in id order, a batch at a time."""

from __future__ import annotations

from sqlalchemy import select

from ..models import ApiCall, FpsTransaction, LedgerEntry

BATCH = 1000
TABLES = {"transactions": FpsTransaction.__table__, "ledger": LedgerEntry.__table__, "requests": ApiCall.__table__}


def rows(storage, table):
    """Every row in id order, fetched a batch at a time in a unit of its own (runs while a response streams)."""
    last = 0
    while True:
        with storage.read() as conn:
            batch = conn.execute(select(table).where(table.c.id > last).order_by(table.c.id).limit(BATCH)).all()
        if not batch:
            return
        yield from batch
        last = batch[-1].id
