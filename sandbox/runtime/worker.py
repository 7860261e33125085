"""A background thread in each server process that completes due transactions and delivers due
notifications, in every sandbox. Started on the first request a process serves, so gunicorn's workers
each get one after the fork; several running at once is safe, as completion locks its rows."""

from __future__ import annotations

import logging
import os
import threading
import time

from .routing import enter
from .services import tick

log = logging.getLogger(__name__)
_started_in: int | None = None
_lock = threading.Lock()
INTERVAL_SECONDS = 1.0


def ensure_started(app) -> None:
    """Start this process's worker once."""
    global _started_in
    if _started_in == os.getpid():
        return
    with _lock:
        if _started_in == os.getpid():
            return
        _started_in = os.getpid()
        threading.Thread(target=_loop, args=(app,), name="fps-sandbox-worker", daemon=True).start()


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
    while True:
        for svc in _everyone(app):
            try:
                with app.app_context():
                    enter(svc)
                    tick(svc)
            except Exception:  # keep going: the next round may succeed (e.g. the database was busy, or
                log.exception("background worker round failed in sandbox %s", svc.name)  # it was just deleted)
        time.sleep(INTERVAL_SECONDS)
