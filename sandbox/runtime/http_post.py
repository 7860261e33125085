"""Form POSTs for notification delivery, keeping one connection open per host for a whole batch.

A batch of notifications to one merchant goes over one keep-alive connection, as a browser or a
payment service's sender would, instead of a new TCP connection per notification. Redirects are not
followed: a 3xx answer is an attempt that did not deliver (its status is shown, and it is retried).
"""

from __future__ import annotations

import http.client
import ssl
import time
from urllib.parse import urlsplit

HEADERS = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "User-Agent": "FPS-Sandbox-IPN/1.0"}
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


class Poster:
    """POSTs forms, reusing an open connection to the same scheme, host and port; close() when done."""

    def __init__(self, timeout: float, excerpt: int) -> None:
        self.timeout, self.excerpt = timeout, excerpt
        self._open: dict[tuple[str, str], http.client.HTTPConnection] = {}

    def __enter__(self) -> Poster:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for conn in self._open.values():
            conn.close()
        self._open.clear()

    def post(self, url: str, body: str) -> tuple[int | None, str, int]:
        """POST the form; answers (HTTP status or None, a response excerpt or the error, milliseconds)."""
        started = time.monotonic()
        try:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"unknown url type: {url[:100]!r}")
            key = (parts.scheme, parts.netloc)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            reused = key in self._open
            try:
                status, text = self._exchange(key, target, body.encode())
            except _STALE:
                if not reused:
                    raise
                status, text = self._exchange(key, target, body.encode())  # the kept connection had gone
            return status, text, _ms(started)
        except (OSError, ValueError, http.client.HTTPException) as err:
            return None, f"{type(err).__name__}: {err}"[: self.excerpt], _ms(started)

    def _exchange(self, key: tuple[str, str], target: str, data: bytes) -> tuple[int, str]:
        conn = self._open.get(key) or self._connect(key)
        try:
            conn.request("POST", target, body=data, headers=HEADERS)
            response = conn.getresponse()
            text = response.read(self.excerpt)
            if response.will_close or response.read(1):  # the server closes, or more than the excerpt came
                self._drop(key)
        except BaseException:
            self._drop(key)
            raise
        return response.status, text.decode("utf-8", "replace")

    def _connect(self, key: tuple[str, str]) -> http.client.HTTPConnection:
        scheme, netloc = key
        conn = (http.client.HTTPSConnection(netloc, timeout=self.timeout, context=ssl.create_default_context())
                if scheme == "https" else http.client.HTTPConnection(netloc, timeout=self.timeout))
        self._open[key] = conn
        return conn

    def _drop(self, key: tuple[str, str] | None) -> None:
        conn = self._open.pop(key, None) if key else None
        if conn is not None:
            conn.close()


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
