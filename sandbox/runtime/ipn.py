"""Delivering Instant Payment Notifications: signed form POSTs, at least once, retried for a day.

A due notification is claimed with a lease (its next attempt moved a minute ahead) in one
transaction, POSTed outside any transaction, and its attempt recorded in another. A process
that dies mid-delivery leaves the lease to run out, and the notification is sent again: at
least once, never lost. The retry schedule runs on the sandbox clock.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from sqlalchemy import insert, select, update

from ..domain import notifications
from ..models import Account, DeliveryAttempt, Notification

if TYPE_CHECKING:  # for annotations only: services.tick imports this module
    from .services import Services

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
TIMEOUT_SECONDS = 10
EXCERPT = 500


def deliver_due(svc: Services, limit: int = 50) -> int:
    """Deliver the notifications that are due; answers how many attempts were made."""
    now = svc.clock.now()
    with svc.storage.read() as conn:
        rows = conn.execute(
            select(Notification.id, Account.ipn_reorder).join(Account, Account.id == Notification.caller_id)
            .where(Notification.state == "queued", Notification.next_attempt_at <= now)
            .order_by(Notification.id).limit(limit)).all()
    # a caller asking for "out of order" gets what is due newest first
    order = sorted(rows, key=lambda r: -r.id if r.ipn_reorder else r.id)
    return sum(deliver(svc, r.id) for r in order)


def deliver(svc: Services, pk: int, *, manual: bool = False) -> int:
    """Claim one notification and try to deliver it; `manual` (a resend) ignores its state and time."""
    now = svc.clock.now()
    with svc.storage.write() as conn:
        query = select(Notification.__table__).where(Notification.id == pk).with_for_update()
        if not manual:
            query = query.where(Notification.state == "queued", Notification.next_attempt_at <= now)
        n = conn.execute(query).first()
        if n is None:
            return 0
        url = n.url or conn.execute(select(Account.ipn_url).where(Account.id == n.caller_id)).scalar()
        if url is None:
            return 0
        url = resolve(svc, url)
        conn.execute(update(Notification).where(Notification.id == pk).values(next_attempt_at=now + LEASE))
        body = urlencode(signed_fields(svc, conn, n, url))
    forced = n.forced_failures_left > 0 and not manual
    status, excerpt, ms = (None, "not sent: the caller's switch fails the first attempts", 0) if forced \
        else post(url, body)
    _record(svc, n, url, status, excerpt, ms, forced)
    if status is not None and 200 <= status < 300 and n.twice and not manual:
        again = post(url, body)
        _attempt(svc, pk, "duplicate", *again)
    return 1


def base_url(svc: Services) -> str:
    """Where this sandbox is reached: the configured public URL, else the first request's."""
    return svc.public_url or svc.seen_base_url or "http://127.0.0.1:5000"


def resolve(svc: Services, url: str) -> str:
    """A notification URL as it is posted to: a path ("/merchant/ipn/DigitalDownload", the demo
    callers' default) is this sandbox's own merchant inbox."""
    return base_url(svc) + url if url.startswith("/") else url


def signed_fields(svc: Services, conn, n, url: str) -> dict[str, str]:
    """The notification's fields plus the four signature parameters, for delivery to `url`."""
    return svc.signer.sign_params("POST", resolve(svc, url), notifications.fields(conn, n),
                                  f"{base_url(svc)}/certs/{svc.signer.cert_dir}/PKICert.pem")


def post(url: str, body: str) -> tuple[int | None, str, int]:
    """POST the form; answers (HTTP status or None, a response excerpt or the error, milliseconds)."""
    request = urllib.request.Request(url, data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                                              "User-Agent": "FPS-Sandbox-IPN/1.0"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - http(s) only
            return response.status, response.read(EXCERPT).decode("utf-8", "replace"), _ms(started)
    except urllib.error.HTTPError as err:
        return err.code, err.read(EXCERPT).decode("utf-8", "replace"), _ms(started)
    except (urllib.error.URLError, OSError, ValueError) as err:
        return None, f"{type(err).__name__}: {getattr(err, 'reason', err)}"[:EXCERPT], _ms(started)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _attempt(svc: Services, pk: int, outcome: str, status, excerpt, ms) -> None:
    with svc.storage.write() as conn:
        conn.execute(insert(DeliveryAttempt).values(notification_pk=pk, at=svc.clock.now(), outcome=outcome,
                                                    http_status=status, response_excerpt=excerpt, duration_ms=ms))


def _record(svc: Services, n, url: str, status: int | None, excerpt: str, ms: int, forced: bool) -> None:
    """Store the attempt, and what comes next: done, retry later, or give up after the schedule."""
    now = svc.clock.now()
    ok = status is not None and 200 <= status < 300
    with svc.storage.write() as conn:
        conn.execute(insert(DeliveryAttempt).values(
            notification_pk=n.id, at=now, outcome="forced-failure" if forced else "delivered" if ok else "failed",
            http_status=status, response_excerpt=excerpt, duration_ms=ms))
        attempts = n.attempts + 1
        values: dict = {"attempts": attempts, "url": url}
        if forced:
            values["forced_failures_left"] = n.forced_failures_left - 1
        if ok:
            values.update(state="delivered", delivered_at=now, next_attempt_at=None)
        elif attempts > len(svc.ipn_schedule):
            values.update(state="failed", next_attempt_at=None)
        else:
            values.update(state="queued", next_attempt_at=now + svc.ipn_schedule[attempts - 1])
        conn.execute(update(Notification).where(Notification.id == n.id).values(**values))


def schedule_text(svc: Services) -> str:
    """The retry schedule in words, for the console."""
    total = sum(svc.ipn_schedule, timedelta(0))
    return f"{len(svc.ipn_schedule)} retries over {total} after the first attempt"


def edit(svc: Services, pk: int, new_fields: dict[str, str]) -> None:
    """Replace a notification's fields (they are signed afresh when it is sent)."""
    with svc.storage.write() as conn:
        conn.execute(update(Notification).where(Notification.id == pk)
                     .values(edited_fields=json.dumps(new_fields)))
