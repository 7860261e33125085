"""Delivering Instant Payment Notifications: signed form POSTs, at least once, retried for a day.

Due notifications are claimed a batch at a time with a lease (their next attempt moved a minute
ahead) in one transaction, rows another server holds skipped; POSTed outside any transaction; and
their attempts recorded in another. A process that dies mid-delivery leaves the lease to run out,
and the notification is sent again: at least once, never lost, and never the same attempt by two
servers. The retry schedule runs on the sandbox clock.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from sqlalchemy import bindparam, insert, select, update

from ..domain import notifications
from ..models import Account, DeliveryAttempt, Notification
from .http_post import Poster

if TYPE_CHECKING:  # for annotations only: services.tick imports this module
    from .services import Services

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
TIMEOUT_SECONDS = 10
EXCERPT = 500

_N = Notification.__table__
_CLAIM = select(_N, Account.ipn_reorder, Account.ipn_url.label("caller_url")).join(Account, Account.id == _N.c.caller_id)
_DUE_NOW = (_N.c.state == "queued", _N.c.next_attempt_at <= bindparam("now"))
_ANY_DUE = select(_N.c.id).where(*_DUE_NOW).limit(1)
# Rows another server has claimed are skipped, not waited for (PostgreSQL; SQLite has one writer).
_DUE = _CLAIM.where(*_DUE_NOW).order_by(_N.c.id).limit(bindparam("limit")).with_for_update(of=_N, skip_locked=True)
_ONE = _CLAIM.where(_N.c.id == bindparam("pk")).with_for_update(of=_N)
_ONE_DUE = _ONE.where(*_DUE_NOW)
_LEASE = update(_N).where(_N.c.id.in_(bindparam("pks", expanding=True))).values(next_attempt_at=bindparam("until"))
_INSERT_ATTEMPT = insert(DeliveryAttempt.__table__)
_AFTER = update(_N).where(_N.c.id == bindparam("pk")).values(
    attempts=bindparam("b_attempts"), url=bindparam("b_url"), state=bindparam("b_state"),
    next_attempt_at=bindparam("b_next"), delivered_at=bindparam("b_delivered"),
    forced_failures_left=bindparam("b_forced"))


@dataclass
class _Claimed:
    """One notification claimed for an attempt: its row, where it goes, and its fields (signed when sent,
    outside the claiming transaction, which holds SQLite's write lock)."""

    row: Any
    url: str
    fields: dict[str, str]
    forced: bool  # the caller's switch fails this attempt: nothing is sent


def deliver_due(svc: Services, limit: int = 50, budget_seconds: float = 1.0) -> int:
    """Deliver the notifications that are due, `limit` at a time until none is left, starting no new batch
    once `budget_seconds` have gone (the worker's round also flushes the request log and completes due
    transactions; what is left goes next round); answers how many attempts were made.

    Each batch is claimed in one transaction (rows another server holds are skipped, so two servers never
    send the same attempt), POSTed outside any transaction, and its attempts recorded in one more.
    """
    done, started = 0, time.monotonic()
    while time.monotonic() - started < budget_seconds:
        now = svc.clock.now()
        with svc.storage.read() as conn:  # most rounds find nothing: no write lock for them
            if conn.execute(_ANY_DUE, {"now": now}).first() is None:
                break
        with svc.storage.write() as conn:
            rows = conn.execute(_DUE, {"now": now, "limit": limit}).all()
            claimed = _claim(svc, conn, rows, now, manual=False)
        # a caller asking for "out of order" gets what is due newest first
        claimed.sort(key=lambda c: -c.row.id if c.row.ipn_reorder else c.row.id)
        _send(svc, claimed, manual=False)
        done += len(claimed)
        if len(rows) < limit or not claimed:
            break
    return done


def deliver(svc: Services, pk: int, *, manual: bool = False) -> int:
    """Claim one notification and try to deliver it; `manual` (a resend) ignores its state and time."""
    now = svc.clock.now()
    with svc.storage.write() as conn:
        query = _ONE if manual else _ONE_DUE
        claimed = _claim(svc, conn, conn.execute(query, {"pk": pk, "now": now}).all(), now, manual=manual)
    _send(svc, claimed, manual=manual)
    return len(claimed)


def _claim(svc: Services, conn, rows: list, now: datetime, *, manual: bool) -> list[_Claimed]:
    """Lease the locked rows (their next attempt a minute ahead, so a process that dies mid-delivery
    leaves them to be sent again) and read each one's fields; rows without a URL are left alone."""
    rows = [r for r in rows if r.url or r.caller_url]
    if not rows:
        return []
    conn.execute(_LEASE, {"pks": [r.id for r in rows], "until": now + LEASE})
    all_fields = notifications.fields_of(conn, rows)
    return [_Claimed(r, resolve(svc, r.url or r.caller_url), all_fields[r.id], r.forced_failures_left > 0 and not manual)
            for r in rows]


def _send(svc: Services, claimed: list[_Claimed], *, manual: bool) -> None:
    """POST each claimed notification (a second time when its caller asks for duplicates), then record
    every attempt and what comes next in one transaction."""
    sent = []  # (claimed, a duplicate?, HTTP status or None, excerpt, ms)
    with Poster(TIMEOUT_SECONDS, EXCERPT) as poster:
        for c in claimed:
            if c.forced:
                sent.append((c, False, None, "not sent: the caller's switch fails the first attempts", 0))
                continue
            body = urlencode(svc.signer.sign_params("POST", c.url, c.fields, certificate_url(svc)))
            status, excerpt, ms = poster.post(c.url, body)
            sent.append((c, False, status, excerpt, ms))
            if _ok(status) and c.row.twice and not manual:
                sent.append((c, True, *poster.post(c.url, body)))
    if not sent:
        return
    now = svc.clock.now()
    with svc.storage.write() as conn:
        conn.execute(_INSERT_ATTEMPT, [
            {"notification_pk": c.row.id, "at": now, "http_status": status, "response_excerpt": excerpt,
             "duration_ms": ms, "outcome": "duplicate" if duplicate else "forced-failure" if c.forced
             else "delivered" if _ok(status) else "failed"} for c, duplicate, status, excerpt, ms in sent])
        conn.execute(_AFTER, [_next(svc, c, status, now) for c, duplicate, status, _, _ in sent if not duplicate])


def _ok(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def _next(svc: Services, c: _Claimed, status: int | None, now: datetime) -> dict:
    """What comes after an attempt: done, retry later, or give up after the schedule."""
    row, attempts = c.row, c.row.attempts + 1
    values = {"pk": row.id, "b_attempts": attempts, "b_url": c.url, "b_state": "queued", "b_next": None,
              "b_delivered": row.delivered_at, "b_forced": row.forced_failures_left - (1 if c.forced else 0)}
    if _ok(status):
        values.update(b_state="delivered", b_delivered=now)
    elif attempts > len(svc.ipn_schedule):
        values.update(b_state="failed")
    else:
        values.update(b_next=now + svc.ipn_schedule[attempts - 1])
    return values


def base_url(svc: Services) -> str:
    """Where this sandbox is reached: the configured public URL, else the first request's, else where the
    server listens."""
    return svc.public_url or svc.seen_base_url or svc.bound_url or "http://127.0.0.1:5000"


def resolve(svc: Services, url: str) -> str:
    """A notification URL as it is posted to: a path ("/merchant/ipn/DigitalDownload", the demo
    callers' default) is this sandbox's own merchant inbox."""
    return base_url(svc) + url if url.startswith("/") else url


def certificate_url(svc: Services) -> str:
    return f"{base_url(svc)}/certs/{svc.signer.cert_dir}/PKICert.pem"


def signed_fields(svc: Services, conn, n, url: str) -> dict[str, str]:
    """The notification's fields plus the four signature parameters, for delivery to `url`."""
    return svc.signer.sign_params("POST", resolve(svc, url), notifications.fields(conn, n), certificate_url(svc))


def schedule_text(svc: Services) -> str:
    """The retry schedule in words, for the console."""
    total = sum(svc.ipn_schedule, timedelta(0))
    return f"{len(svc.ipn_schedule)} retries over {total} after the first attempt"


def edit(svc: Services, pk: int, new_fields: dict[str, str]) -> None:
    """Replace a notification's fields (they are signed afresh when it is sent)."""
    with svc.storage.write() as conn:
        conn.execute(update(Notification).where(Notification.id == pk)
                     .values(edited_fields=json.dumps(new_fields)))
