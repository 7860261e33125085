"""The request log (models.ApiCall): what came in, what the signature check found, what went out.

A call that moves money is logged in the same transaction as the money (`record_in`), so every
acknowledged Pay, funding, settlement or refund is in the log even after a crash. Everything else
must not slow the money path: a server process with a background worker keeps those entries in
memory and writes them in one transaction every half second (runtime/worker.py; and at exit), so every
server's console shows them within a second; without a worker (tests, `flask run` without it) each entry
is written at once. A crash can lose up to half a second of reads and refusals, never a payment or its
log entry.
"""

from __future__ import annotations

import atexit
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert

from ..domain import driver_sql, linked_rows
from ..models import ApiCall
from .storage import Storage

log = logging.getLogger(__name__)
MAX_RESPONSE = 20_000
_INSERT = insert(ApiCall.__table__)


@dataclass
class Entry:
    """What a request's handling learned, filled in as it goes."""

    request_id: str
    face: str
    method: str
    host: str
    path: str
    params: dict
    started: float
    action: str | None = None
    access_key: str | None = None
    caller_id: int | None = None
    verdict: str = "unchecked"
    string_to_sign: str | None = None
    diagnosis: list[str] = field(default_factory=list)
    transaction_id: str | None = None
    subject: str | None = None  # the token, instrument or transaction id the request named
    logged: bool = False  # written already, with the change it logs


class RequestLog:
    """Writes entries at once, or buffers them for `flush` when `buffered`."""

    def __init__(self, storage: Storage, buffered: bool, durable: bool = True) -> None:
        self.storage = storage
        self.buffered = buffered
        self.durable = durable  # callers log changes with `record_in`, in the change's own transaction
        self._rows: list[dict] = []
        self._lock = threading.Lock()
        if buffered:
            atexit.register(self.flush)

    def record(self, entry: Entry, *, at: datetime, http_status: int, response: str,
               error_code: str | None = None) -> None:
        """Log an entry: buffered, or at once (once only: not if `record_in` wrote it)."""
        if entry.logged:
            return
        row = self._row(entry, at, http_status, response, error_code)
        if self.buffered:
            with self._lock:
                self._rows.append(row)
        else:
            self._write([row])

    def record_in(self, conn, entry: Entry, *, at: datetime, http_status: int, response: str) -> None:
        """Log an entry inside the caller's transaction: it commits, or rolls back, with the change (the
        caller sets `entry.logged` once it has committed); in the statement of a guarded write waiting on
        `conn`, if there is one (written with it, or not at all)."""
        row = self._row(entry, at, http_status, response, None)
        if not linked_rows.alongside(conn, ApiCall.__table__, row):
            driver_sql.execute(conn, _INSERT, row)

    @staticmethod
    def _row(entry: Entry, at: datetime, http_status: int, response: str, error_code: str | None) -> dict:
        return {
            "request_id": entry.request_id, "at": at, "face": entry.face,
            "action": (entry.action or "")[:64] or None, "caller_id": entry.caller_id,
            "access_key": (entry.access_key or "")[:128] or None, "method": entry.method, "host": entry.host[:255],
            "path": entry.path[:255], "params": json.dumps(entry.params, ensure_ascii=False),
            "verdict": entry.verdict, "string_to_sign": entry.string_to_sign,
            "diagnosis": "\n".join(entry.diagnosis) or None, "http_status": http_status, "error_code": error_code,
            "response": response[:MAX_RESPONSE], "duration_ms": int((time.monotonic() - entry.started) * 1000),
            "transaction_id": entry.transaction_id, "subject": (entry.subject or "")[:65] or None}

    def flush(self) -> int:
        """Write what is buffered; answers how many entries."""
        with self._lock:
            rows, self._rows = self._rows, []
        if rows:
            self._write(rows)
        return len(rows)

    def _write(self, rows: list[dict]) -> None:
        try:
            with self.storage.write() as conn:
                driver_sql.execute_many(conn, _INSERT, rows)
        except Exception:  # the log must never fail the call it logs
            log.exception("could not write %d request log entries", len(rows))
