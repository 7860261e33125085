#!/usr/bin/env python3
"""Benchmark: signed prepaid Pays at a fixed concurrency against a real server.

By default it starts its own gunicorn (the documented multi-worker setting: one sync worker
per core) on a fresh SQLite file; --url points it at a server you started instead.

Setup goes through the faces, as a merchant would: the Co-Branded pages install a prepaid
instrument for John (paid by card), FundPrepaid puts $10,000.00 on it. Then every request is
a signed Pay of $0.01 with its own CallerReference, signed before the clock starts so the
client spends its CPU on sending, not signing. It prints requests/s, p50/p99 latency, errors,
the server's memory, and checks the final prepaid balance to the cent.

Targets (issue 2, 2-core machine): >= 1,000 Pays/s with SQLite, p99 < 50 ms.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from decimal import Decimal
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit
from urllib.request import HTTPCookieProcessor, HTTPErrorProcessor, Request, build_opener, urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox.signature import hmac_sign, string_to_sign_v2  # noqa: E402

KEY, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
FUNDING = "10000.00"


def stamp() -> str:
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def signed_body(host: str, action: str, params: dict, key: str = KEY, secret: str = SECRET) -> bytes:
    values = {"Action": action, "AWSAccessKeyId": key, "Version": "2008-09-17", "Timestamp": stamp(),
              "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", **params}
    values["Signature"] = hmac_sign(secret, string_to_sign_v2("POST", host, "/", values))
    return urlencode(values).encode()


def raw_request(host: str, body: bytes) -> bytes:
    """A complete HTTP/1.0 POST, built before the clock starts (cheap for the load generator)."""
    head = (f"POST / HTTP/1.0\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


def send(port: int, request: bytes) -> tuple[int, str]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    reply = b"".join(chunks).decode()
    return int(reply[9:12]), reply.partition("\r\n\r\n")[2]


def post(host: str, port: int, body: bytes) -> tuple[int, str]:
    return send(port, raw_request(host, body))


class _NoRedirect(HTTPErrorProcessor):
    def http_response(self, request, response):
        return response

    https_response = http_response


def install_instrument(base: str, run: str, key: str = KEY, secret: str = SECRET, amount: str = FUNDING) -> dict:
    """Click through SetupPrepaid like a browser; answers the return-URL parameters."""
    host = urlsplit(base).netloc
    params = {"callerKey": key, "pipelineName": "SetupPrepaid", "version": "2009-01-09",
              "signatureVersion": "2", "signatureMethod": "HmacSHA256", "callerReferenceFunding": f"bench-f-{run}",
              "callerReferenceSender": f"bench-s-{run}", "fundingAmount": amount, "paymentMethod": "CC",
              "returnURL": "https://merchant.example/return"}
    params["signature"] = hmac_sign(secret, string_to_sign_v2("GET", host, "/cobranded-ui/actions/start", params,
                                                              exclude="signature"))
    opener = build_opener(HTTPCookieProcessor(CookieJar()), _NoRedirect())
    location = opener.open(f"{base}/cobranded-ui/actions/start?{urlencode(params)}").headers["Location"]

    def form(url: str, data: dict) -> str:
        url = url if url.startswith("http") else base + url
        html = opener.open(url).read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        extra = {"choice": re.search(r'value="(CC:\d+)"', html).group(1)} if "choice" in data else {}
        reply = opener.open(url, urlencode({"csrf_token": token, **data, **extra}).encode())
        return reply.headers["Location"]

    location = form(location, {"email": "john@example.com", "password": "sandbox", "submit": "Sign in"})
    location = form(location, {"choice": "", "submit": "Continue"})
    location = form(location, {"confirm": "Confirm"})
    return dict(parse_qsl(urlsplit(location).query))


PAID = "<TransactionStatus>Success</TransactionStatus>"


def worker(port: int, requests: list[bytes], out: mp.Queue, marker: str = PAID) -> None:
    """Send `requests` one after another; a reply is good with HTTP 200 and `marker` in its body."""
    out.put(send_each([(port, request) for request in requests], marker))


def send_each(requests: list[tuple[int, bytes]], marker: str = PAID) -> tuple[list[float], dict[str, int]]:
    """Send each (port, request) in turn: the latencies (s) and the errors by code (a reply is good with
    HTTP 200 and `marker` in its body)."""
    latencies, errors = [], {}
    for port, request in requests:
        start = time.perf_counter()
        try:
            status, text = send(port, request)
        except OSError as exc:
            status, text = 0, type(exc).__name__
        latencies.append(time.perf_counter() - start)
        if status != 200 or marker not in text:
            code = re.search(r"<Code>(\w+)</Code>", text)
            key = code.group(1) if code else f"HTTP {status}"
            errors[key] = errors.get(key, 0) + 1
    return latencies, errors


def rss_kib(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / ticks


def server_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [master, *map(int, children.read_text().split())] if children.exists() else [master]


def start_gunicorn(spec: str, cwd: Path, env: dict, workers: int) -> tuple[subprocess.Popen, str]:
    """gunicorn serving `spec` (module:app) on a free loopback port; answers the process and its base URL."""
    proc, port = listening(lambda port: [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers),
                                         "--bind", f"127.0.0.1:{port}", spec], cwd=cwd, env=env)
    return proc, f"http://127.0.0.1:{port}"


def listening(command, **popen) -> tuple[subprocess.Popen, int]:
    """Start `command(port)` on a free loopback port (output discarded) and wait until it listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(command(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **popen)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return proc, port


def spawn_server(workers: int, database_url: str | None = None, notify: str | None = None, hold_seconds: int = 0
                 ) -> tuple[subprocess.Popen, str, Path]:
    """The sandbox, reset to the demo world, under gunicorn (SQLite in a new folder unless a URL is given);
    `notify`: DigitalDownload's notification URL (bench/ipn_sink.py), instead of the sandbox's own inbox;
    `hold_seconds`: its notifications' delay (the console's IPN setting), so they are due only once the
    sandbox clock moves on (`release`)."""
    work = Path(tempfile.mkdtemp(prefix="fps-bench-"))
    env = {**os.environ, "FPS_SANDBOX_SQLALCHEMY_DATABASE_URI": database_url or os.environ.get("DATABASE_URL")
           or f"sqlite:///{work / 'bench.sqlite'}", "FPS_SANDBOX_FPS_KEY_DIR": str(work)}
    subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "app", "reset", "--yes"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    if notify:
        subprocess.run([sys.executable, "-c", _NOTIFY, KEY, notify, str(hold_seconds)], cwd=ROOT, env=env, check=True)
    proc, base = start_gunicorn("app:app", ROOT, env, workers)
    return proc, base, work


_NOTIFY = """import sys
from sqlalchemy import update
from app import app
from sandbox.models import Account
from sandbox.runtime.services import services
with app.app_context(), services().storage.write() as conn:
    conn.execute(update(Account).where(Account.access_key == sys.argv[1]).values(
        ipn_url=sys.argv[2], ipn_delay_seconds=int(sys.argv[3])))
"""


def move_clock(base: str, seconds: int) -> None:
    """Move the sandbox clock forward through the console's control API (what is held becomes due)."""
    request = Request(f"{base}/admin/api/clock", data=json.dumps({"forward_seconds": seconds}).encode(),
                      headers={"Content-Type": "application/json"}, method="POST")
    with urlopen(request, timeout=10) as reply:  # noqa: S310 - the bench's own loopback server
        reply.read()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", help="a running sandbox (default: start one)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers when starting one")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--requests", type=int, default=10000)
    ap.add_argument("--warmup", type=int, default=200)
    args = ap.parse_args()

    proc = None
    if args.url:
        base = args.url.rstrip("/")
    else:
        proc, base, _ = spawn_server(args.workers)
    try:
        return run(base, args, proc)
    finally:
        if proc:
            proc.terminate()
            proc.wait()


def funded_instrument(base: str, run_id: str, key: str = KEY, secret: str = SECRET, amount: str = FUNDING) -> dict:
    """Install a prepaid instrument through the Co-Branded pages and fund it with `amount` by card,
    waiting as a merchant would for the Pending funding to complete; answers the return-URL ids."""
    host, port = urlsplit(base).netloc, urlsplit(base).port or 80
    ret = install_instrument(base, run_id, key, secret, amount)
    status, text = post(host, port, signed_body(host, "FundPrepaid", {
        "SenderTokenId": ret["fundingTokenID"], "PrepaidInstrumentId": ret["prepaidInstrumentID"],
        "CallerReference": f"bench-fund-{run_id}", "FundingAmount.Value": amount, "FundingAmount.CurrencyCode": "USD"},
        key, secret))
    funding = re.search(r"<TransactionId>(\w+)</TransactionId>", text).group(1)
    for _ in range(100):  # a card funding is Pending for FPS_PENDING_SECONDS; wait as a merchant would
        if "<TransactionStatus>Success</TransactionStatus>" in text:
            break
        time.sleep(0.1)
        _, text = post(host, port, signed_body(host, "GetTransactionStatus", {"TransactionId": funding}, key, secret))
    assert "<TransactionStatus>Success</TransactionStatus>" in text, text
    return ret


def drive(port: int, requests: list[bytes], concurrency: int, pids: list[int], marker: str = PAID) -> dict:
    """Send the requests over `concurrency` client processes; answers sorted latencies (s), errors by
    code, elapsed seconds and the CPU seconds `pids` used meanwhile."""
    chunks = [requests[i::concurrency] for i in range(concurrency)]
    out: mp.Queue = mp.Queue()
    procs = [mp.Process(target=worker, args=(port, chunk, out, marker)) for chunk in chunks]
    cpu_before = cpu_seconds(pids)
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    elapsed = time.perf_counter() - started
    cpu_used = cpu_seconds(pids) - cpu_before
    for p in procs:
        p.join()
    errors: dict[str, int] = {}
    for _, errs in results:
        for k, v in errs.items():
            errors[k] = errors.get(k, 0) + v
    return {"latencies": sorted(lat for lats, _ in results for lat in lats), "errors": errors, "elapsed": elapsed,
            "cpu": cpu_used}


def run(base: str, args, proc) -> int:
    host, port = urlsplit(base).netloc, urlsplit(base).port or 80
    run_id = f"{int(time.time())}-{os.getpid()}"
    ret = funded_instrument(base, run_id)

    def bodies(prefix: str, n: int) -> list[bytes]:
        return [signed_body(host, "Pay", {"SenderTokenId": ret["prepaidSenderTokenID"], "CallerReference": f"{prefix}-{i}",
                                          "TransactionAmount.Value": "0.01", "TransactionAmount.CurrencyCode": "USD"})
                for i in range(n)]

    for body in bodies(f"warm-{run_id}", args.warmup):
        post(host, port, body)
    all_requests = [raw_request(host, b) for b in bodies(f"pay-{run_id}", args.requests)]
    measured = drive(port, all_requests, args.concurrency, server_pids(proc.pid) if proc else [])
    latencies, errors, elapsed, cpu_used = (measured[k] for k in ("latencies", "errors", "elapsed", "cpu"))
    ok = len(latencies) - sum(errors.values())
    _, text = post(host, port, signed_body(host, "GetPrepaidBalance", {"PrepaidInstrumentId": ret["prepaidInstrumentID"]}))
    balance = re.search(r"<AvailableBalance><CurrencyCode>USD</CurrencyCode><Value>([\d.]+)</Value>", text).group(1)
    balance = Decimal(balance).quantize(Decimal("0.01"))  # money: exact, never float
    expected = Decimal(1_000_000 - args.warmup - ok) / 100
    pct = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731

    print(f"server          {base} ({'started here, ' + str(args.workers) + ' gunicorn workers' if proc else 'given'})")
    print(f"requests        {len(latencies)} signed Pays of $0.01, concurrency {args.concurrency}")
    print(f"throughput      {len(latencies) / elapsed:,.0f} requests/s  ({elapsed:.2f} s)")
    print(f"latency         p50 {pct(0.50):.1f} ms   p99 {pct(0.99):.1f} ms   max {latencies[-1] * 1000:.1f} ms")
    print(f"errors          {sum(errors.values())} {errors if errors else ''}")
    if proc:
        print(f"server CPU      {cpu_used / len(latencies) * 1000:.2f} ms per Pay "
              f"(=> {len(latencies) / cpu_used:,.0f} Pays/s per fully used core)")
        print(f"server memory   {rss_kib(server_pids(proc.pid)) / 1024:.1f} MiB RSS (master + workers)")
    print(f"final balance   ${balance:,.2f}  (expected ${expected:,.2f}: {'OK' if balance == expected else 'WRONG'})")
    return 0 if not errors and balance == expected else 1


if __name__ == "__main__":
    sys.exit(main())
