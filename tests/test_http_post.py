"""Notification POSTs (sandbox/runtime/http_post.py) against real loopback servers: one kept-alive
connection per host for a batch, a dropped connection reopened, redirects not followed, bad URLs and
dead ports answered as failed attempts, never raised."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sandbox.runtime.http_post import Poster


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless told otherwise
    disable_nagle_algorithm = True

    def setup(self):
        super().setup()
        self.server.connections += 1

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.bodies.append(body.decode())
        status, text, close = self.server.answer(self.path)
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", str(len(text)))
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(text)
        if close:
            self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.daemon_threads = True
    srv.connections, srv.bodies = 0, []
    srv.answer = lambda path: (200, b"OK", False)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    srv.url = f"http://127.0.0.1:{srv.server_address[1]}"
    yield srv
    srv.shutdown()
    srv.server_close()


def test_a_batch_to_one_host_goes_over_one_connection(server):
    with Poster(5, 500) as poster:
        answers = [poster.post(f"{server.url}/ipn?n={i}", f"a={i}") for i in range(5)]
    assert [a[:2] for a in answers] == [(200, "OK")] * 5
    assert server.connections == 1 and server.bodies == [f"a={i}" for i in range(5)]


def test_a_server_that_closes_gets_a_new_connection_each_time(server):
    server.answer = lambda path: (200, b"OK", True)
    with Poster(5, 500) as poster:
        assert [poster.post(f"{server.url}/ipn", "x")[0] for _ in range(3)] == [200] * 3
    assert server.connections == 3


def test_a_kept_connection_the_server_dropped_is_reopened_once(server):
    with Poster(5, 500) as poster:
        assert poster.post(f"{server.url}/ipn", "first")[0] == 200
        next(iter(poster._open.values())).sock.shutdown(socket.SHUT_RDWR)  # as if the server timed it out
        assert poster.post(f"{server.url}/ipn", "second")[0] == 200
    assert server.bodies == ["first", "second"] and server.connections == 2


def test_a_redirect_is_an_attempt_that_did_not_deliver(server):
    server.answer = lambda path: (302, b"", False)
    with Poster(5, 500) as poster:
        status, _, _ = poster.post(f"{server.url}/ipn", "x")
    assert status == 302 and server.bodies == ["x"]  # not followed to /elsewhere


def test_a_long_answer_is_cut_to_the_excerpt_and_the_connection_not_reused(server):
    server.answer = lambda path: (500, b"e" * 5000, False)
    with Poster(5, 100) as poster:
        first = poster.post(f"{server.url}/ipn", "x")
        poster.post(f"{server.url}/ipn", "y")
    assert first[:2] == (500, "e" * 100) and server.connections == 2


@pytest.mark.parametrize("url, error", [
    ("ftp://127.0.0.1/ipn", "ValueError"), ("http:///no-host", "ValueError"), ("not a url", "ValueError"),
    ("http://127.0.0.1:1/ipn", "ConnectionRefusedError"), ("http://[::1/ipn", "ValueError"),
])
def test_bad_urls_and_dead_ports_are_failed_attempts(url, error):
    with Poster(2, 500) as poster:
        status, excerpt, ms = poster.post(url, "x")
    assert status is None and excerpt.startswith(error) and ms >= 0


def test_an_https_url_whose_server_speaks_no_tls_is_a_failed_attempt(server):
    """https:// goes through TLS with certificate checks; a handshake that fails is an attempt that failed."""
    with Poster(2, 500) as poster:
        status, excerpt, _ = poster.post(server.url.replace("http://", "https://") + "/ipn", "x")
    assert status is None and "SSL" in excerpt and server.bodies == []
