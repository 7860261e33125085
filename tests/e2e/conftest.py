"""A real server (gunicorn, two workers, its own SQLite file), a stand-in merchant site that
records the Co-Branded redirects it receives, and headless Chromium from Debian's package.

Nothing here skips: without /usr/bin/chromium or gunicorn the tests fail and say why.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, proc: subprocess.Popen, log: Path, seconds: float = 20) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not listen on {port}")


def e2e_database_url(work: Path, schema: str = "fps_e2e") -> str:
    """A database of an e2e server's own: a SQLite file, or on PostgreSQL a schema of its own, so its
    background workers never touch what other tests (or other e2e servers) are doing."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{work / 'sandbox.sqlite'}"
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    return url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"


@contextlib.contextmanager
def serve(work: Path, schema: str = "fps_e2e", **settings: str):
    """The sandbox under gunicorn with two workers, on its own database (a schema of its own on
    PostgreSQL): yields its base URL, port and environment. `settings` are FPS_SANDBOX_ settings."""
    port = free_port()
    env = {**os.environ, "FPS_SANDBOX_SQLALCHEMY_DATABASE_URI": e2e_database_url(work, schema),
           "FPS_SANDBOX_FPS_PUBLIC_URL": f"http://127.0.0.1:{port}",  # where the merchant inbox's IPNs go
           "FPS_SANDBOX_FPS_KEY_DIR": str(work), "FPS_SANDBOX_SECRET_KEY": "e2e",
           "FPS_SANDBOX_FPS_SNAPSHOT_DIR": str(work / "snapshots"),  # not the developer's own
           "FPS_SANDBOX_FPS_PENDING_SECONDS": "1",  # card and bank payments: Pending for a second
           **{f"FPS_SANDBOX_{k}": v for k, v in settings.items()}}
    bin_dir = Path(sys.executable).parent
    for command in (["reset", "--yes"], ["sandboxes", "delete", "--all"]):  # no sandbox left by an earlier run
        subprocess.run([str(bin_dir / "flask"), "--app", "app", *command], cwd=ROOT, env=env, check=True,
                       capture_output=True)
    log = open(work / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([str(bin_dir / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "app:app"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(port, proc, work / "gunicorn.log")
        yield {"url": f"http://127.0.0.1:{port}", "port": port, "env": env}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="package")
def live_server(tmp_path_factory):
    """The sandbox under gunicorn with two workers: its base URL and environment."""
    with serve(tmp_path_factory.mktemp("live")) as server:
        yield server


@pytest.fixture(scope="module")
def own_server(request, tmp_path_factory):
    """A server (and database) of the test module's own, for tests that change the demo world's merchants
    (recipes, console actions): the shared live server's stories then see only their own traffic."""
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_").removesuffix("_e2e")
    with serve(tmp_path_factory.mktemp(name), schema=f"fps_e2e_{name}") as server:
        yield server


class Merchant(ThreadingHTTPServer):
    """Records every GET it receives (the Co-Branded return redirects)."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _MerchantHandler)
        self.received: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _MerchantHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path.startswith("/fps/return"):
            self.server.received.append(self.path)
        params = dict(parse_qsl(urlsplit(self.path).query))
        body = f"<html><body><h1>Merchant return</h1><p id=status>{params.get('status', '')}</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@pytest.fixture(scope="package")
def merchant():
    server = Merchant()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: install Debian's chromium package (make test does)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()
