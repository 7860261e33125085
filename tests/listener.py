"""A real HTTP listener on loopback that records the notifications POSTed to it."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


class Listener(ThreadingHTTPServer):
    """Answers 200 unless told to fail the next requests with `fail_with` statuses."""

    allow_reuse_address = True

    def __init__(self, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.received: list[dict] = []
        self.fail_with: list[int] = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/ipn"

    def bodies(self) -> list[str]:
        with self.lock:
            return [r["body"] for r in self.received]

    def fields(self) -> list[dict[str, str]]:
        with self.lock:
            return [dict(parse_qsl(r["body"], keep_blank_values=True)) for r in self.received]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        with self.server.lock:
            status = self.server.fail_with.pop(0) if self.server.fail_with else 200
            self.server.received.append({"path": self.path, "body": body, "status": status,
                                         "content_type": self.headers.get("Content-Type")})
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"OK" if status == 200 else b"listener error")

    def log_message(self, *args):
        pass
