"""The sandbox's services for one application: storage, policy, signer, ids, clock, settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g

from ..domain import completion, history_rollups, rollups
from . import planner_stats
from .certs import Signer
from .ipn import deliver_due
from ..domain.clock import Clock
from ..domain.ids import IdGenerator
from ..domain.policy import Policy
from .request_log import RequestLog
from .storage import Storage


@dataclass
class Services:
    storage: Storage
    policy: Policy
    signer: Signer
    ids: IdGenerator
    clock: Clock
    signature_mode: str
    clock_skew: timedelta
    public_url: str | None = None
    ipn_schedule: tuple[timedelta, ...] = ()  # waits between notification delivery attempts
    seen_base_url: str | None = None  # the URL requests came in on (certificateUrl when public_url is unset)
    bound_url: str | None = None  # where the server listens (gunicorn.conf.py), until a request has come in
    request_log: RequestLog | None = None
    name: str = "default"  # the sandbox these serve (runtime/sandboxes.py)
    seed: str | None = None  # deterministic mode: ids and times from this seed (runtime/seeded.py)
    epoch: datetime = datetime(2026, 1, 1)  # where a seeded sandbox's time starts
    completes: bool = True  # False: due Pending transactions are left to the next numbered request
    base: Services | None = None  # the sandbox's own services, when these are one request's copy


def catch_up(svc: Services) -> int:
    """Complete the Pending transactions that are due on the sandbox clock; answers how many (none for a
    seeded sandbox's page or worker round: runtime/seeded.py)."""
    if not svc.completes:
        return 0
    now = svc.clock.now()
    with svc.storage.read() as conn:
        if not completion.due(conn, now):
            return 0
    with svc.storage.write() as conn:
        return completion.complete_due(conn, now, svc.policy)


def tick(svc: Services) -> tuple[int, int]:
    """One round of background work: complete due transactions, deliver due notifications, fold the running
    totals, refresh PostgreSQL's planner statistics of tables that grew."""
    svc.request_log.flush()
    done = catch_up(svc), deliver_due(svc)
    fold_totals(svc)
    planner_stats.refresh(svc)
    return done


def fold_totals(svc: Services) -> None:
    """Move the console's running totals up to the newest rows (domain/rollups.py)."""
    with svc.storage.read() as conn:
        books, callers = rollups.behind(conn)
    if books:
        with svc.storage.write() as conn:
            rollups.advance_books(conn)
    if callers:
        with svc.storage.write() as conn:
            rollups.advance_callers(conn)
    with svc.storage.read() as conn:
        over_time = history_rollups.behind(conn)
    if over_time:
        with svc.storage.write() as conn:
            history_rollups.advance(conn)


def services() -> Services:
    """The Services of the sandbox the current request is in (runtime/routing.py); the default sandbox's
    outside a request and for a request that names none."""
    return g.get("fps_services") or current_app.extensions["fps_sandbox"]
