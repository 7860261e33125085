#!/usr/bin/env python3
"""A merchant's IPN listener for the benchmarks, in a process of its own: it answers every POST with
200 and counts what it heard. The sandbox delivers each Pay's notification to it (signing, POSTing and
recording every attempt is FPS's work, counted in the sandbox's CPU); receiving it is the merchant's.

GET /count answers "<posts> <distinct transactionIds>".
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a merchant's web server
    disable_nagle_algorithm = True  # else each answer's body waits on a delayed ACK (40 ms)
    posts = 0
    ids: set[str] = set()
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        with self.lock:
            type(self).posts += 1
            self.ids.update(parse_qs(body).get("transactionId", []))
        self._answer(b"OK")

    def do_GET(self):  # noqa: N802
        with self.lock:
            self._answer(f"{self.posts} {len(self.ids)}".encode())

    def _answer(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def start() -> tuple[subprocess.Popen, str]:
    """The sink in a process of its own on a free loopback port; answers it and its URL."""
    from pay_bench import listening  # the benchmarks' own helper (bench/ is on their path)

    proc, port = listening(lambda port: [sys.executable, str(Path(__file__).resolve()), str(port)])
    return proc, f"http://127.0.0.1:{port}/ipn"


def heard(url: str) -> tuple[int, int]:
    """(POSTs, distinct transactionIds) the sink at `url` has heard."""
    with urllib.request.urlopen(url.replace("/ipn", "/count"), timeout=5) as reply:  # noqa: S310 - loopback
        posts, ids = reply.read().decode().split()
    return int(posts), int(ids)


def wait_for(url: str, ids: int, timeout: float = 60.0) -> tuple[int, int]:
    """Wait until the sink has heard `ids` distinct transactions (the worker delivers once a second)."""
    deadline = time.monotonic() + timeout
    got = heard(url)
    while got[1] < ids and time.monotonic() < deadline:
        time.sleep(0.5)
        got = heard(url)
    return got


class _Sink(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # a sender closing its kept-alive connection is not news


if __name__ == "__main__":
    _Sink(("127.0.0.1", int(sys.argv[1])), _Handler).serve_forever()
