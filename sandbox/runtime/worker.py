"""Background threads in each server process: one completes due transactions and delivers due
notifications, in every sandbox; another writes the buffered request log every half second, so a call
answered by one server is in every server's console within a second. Started on the first request a
process serves, so gunicorn's workers each get them after the fork; several running at once is safe, as
completion locks its rows and deliveries are claimed (runtime/ipn.py)."""

from __future__ import annotations

import logging
import os
import threading
import time

from .routing import enter
from .services import services, tick
from .storage import keep_thread_connection

log = logging.getLogger(__name__)
_started = False  # this process's threads are running (a fork's child has none: `_forked`)
_lock = threading.Lock()
INTERVAL_SECONDS = 1.0
FLUSH_SECONDS = 0.5  # the request log's buffer: written at least this often


def ensure_started(app) -> None:
    """Start this process's worker once (a forked process starts its own: `_forked`)."""
    global _started
    if _started:
        return
    with _lock:
        if _started:
            return
        _started = True
        threading.Thread(target=_loop, args=(app,), name="fps-sandbox-worker", daemon=True).start()
        threading.Thread(target=_flush_loop, args=(app,), name="fps-sandbox-log", daemon=True).start()


def _forked() -> None:
    """In a forked process: the parent's threads did not come along (asked on every request, os.getpid() was a
    system call each time)."""
    global _started
    _started = False


os.register_at_fork(after_in_child=_forked)


def _everyone(app) -> list:
    """The default sandbox's services and every other sandbox's (runtime/sandboxes.py); the default
    sandbox's alone while the registry cannot be read."""
    try:
        with app.app_context():
            return app.extensions["fps_sandboxes"].everyone()
    except Exception:
        log.exception("could not read the sandboxes: this round serves the default sandbox only")
        return [app.extensions["fps_sandbox"]]


def _loop(app) -> None:
    keep_thread_connection()
    while True:
        for svc in _everyone(app):
            try:
                with app.app_context():
                    enter(svc)
                    tick(services())  # a seeded sandbox's: its clock at the last request's time
            except Exception:  # keep going: the next round may succeed (e.g. the database was busy, or
                log.exception("background worker round failed in sandbox %s", svc.name)  # it was just deleted)
        time.sleep(INTERVAL_SECONDS)


def _flush_loop(app) -> None:
    """Write every loaded sandbox's buffered request log entries, every FLUSH_SECONDS."""
    keep_thread_connection()
    while True:
        time.sleep(FLUSH_SECONDS)
        for svc in app.extensions["fps_sandboxes"].loaded():
            svc.request_log.flush()  # never raises: a failed write is logged and dropped
