"""Co-Branded pipeline state: a buyer's walk from the caller's signed link, through signing in and
choosing a payment method, to installing the instrument (fps-spec.md §3). The pages are in cbui/;
what the walk has reached is kept here, one row per pipeline."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from ..models import Account, CbuiPipeline
from . import kinds
from .accounts import Choice, party, payment_choices
from .ids import IdGenerator
from .instrument_kind import InstrumentKind

STARTED, SIGNED_IN, CHOSEN, DONE, ABANDONED = "started", "signed_in", "chosen", "done", "abandoned"
FINISHED = (DONE, ABANDONED)
DATES = ("validityStart", "validityExpiry")


@dataclass(frozen=True)
class Pipeline:
    """One buyer's walk; `values` are the pipeline's checked inputs (cbui/pipelines.py)."""

    id: str
    caller_id: int
    name: str
    state: str
    values: dict
    buyer_id: int | None
    payment_method: str | None
    payment_method_id: int | None

    @property
    def kind(self) -> InstrumentKind:
        return kinds.BY_PIPELINE[self.name]

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


def begin(conn: Connection, pid: str, caller_id: int, name: str, values: dict, now: datetime) -> None:
    """Keep a new walk's checked inputs (dates as ISO text)."""
    conn.execute(insert(CbuiPipeline).values(id=pid, caller_id=caller_id, pipeline_name=name, state=STARTED,
                                             params=json.dumps(values, default=str), created_at=now))


def load(conn: Connection, pid: str) -> Pipeline | None:
    row = conn.execute(select(CbuiPipeline.__table__).where(CbuiPipeline.id == pid)).first()
    if row is None:
        return None
    values = json.loads(row.params)
    for name in DATES:
        if values.get(name):
            values[name] = datetime.fromisoformat(values[name])
    return Pipeline(row.id, row.caller_id, row.pipeline_name, row.state, values, row.buyer_id, row.payment_method,
                    row.payment_method_id)


def advance(conn: Connection, pid: str, state: str, **changes) -> None:
    """Record a step: signed in (buyer_id), chosen (payment_method, payment_method_id), abandoned."""
    conn.execute(update(CbuiPipeline).where(CbuiPipeline.id == pid).values(state=state, **changes))


def choice(conn: Connection, pipeline: Pipeline) -> Choice:
    """The payment method the buyer chose."""
    return next(c for c in payment_choices(conn, pipeline.buyer_id, (pipeline.payment_method,))
                if c.payment_method_id == pipeline.payment_method_id)


def install(conn: Connection, pipeline: Pipeline, now: datetime, ids: IdGenerator) -> dict[str, str]:
    """Install what the buyer authorized and finish the walk; answers the ids the return URL carries.

    Raises tokens.PipelineRefused (status NP) when the caller references were used another way.
    """
    kind = pipeline.kind
    auth = kind.authorization(pipeline.values, pipeline.payment_method, pipeline.payment_method_id)
    installed = kind.install(conn, party(conn, pipeline.caller_id), party(conn, pipeline.buyer_id), auth, now, ids)
    advance(conn, pipeline.id, DONE)
    return installed


def demo_buyers(conn: Connection, each: int = 3) -> list:
    """The personal accounts that can sign in, for the sign-in page: the demo world's first ones and the
    newest ones (a lesson's own buyer), `each` of both."""
    query = select(Account.id, Account.name, Account.email).where(Account.kind == "personal",
                                                                 Account.password.is_not(None))
    first = conn.execute(query.order_by(Account.id).limit(each)).all()
    newest = conn.execute(query.order_by(Account.id.desc()).limit(each)).all()
    return sorted({r.id: r for r in [*first, *newest]}.values(), key=lambda r: r.id)
