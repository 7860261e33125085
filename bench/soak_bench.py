#!/usr/bin/env python3
"""Benchmark: the sandbox under full load for minutes: p99 latency at 16 connections, and memory.

It starts the sandbox under gunicorn (SQLite by default; DATABASE_URL selects PostgreSQL), installs
and funds a prepaid instrument through the faces, points DigitalDownload's notifications at a
merchant listener of their own (bench/ipn_sink.py), then keeps `--connections` clients sending signed
$0.01 Pays, each signed just before it is sent, for `--minutes`. Every `--window` seconds it prints
Pays/s, p50/p99 and the server's memory (master + workers); at the end the whole run's p99, how far
memory moved from the first window to the last, the final balance to the cent, and that every Pay's
notification was heard exactly once.

Issue 16's targets: p99 < 20 ms at 16 connections on SQLite; memory flat (within 10%) over 10 minutes.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ipn_sink  # noqa: E402
import pay_bench  # noqa: E402
from pay_bench import PAID, raw_request, send, server_pids, signed_body  # noqa: E402

P99_TARGET_MS, MEMORY_BAND = 20.0, 0.10


def client(port: int, host: str, token: str, prefix: str, until: float, out: mp.Queue) -> None:
    """Sign and send Pays until `until`; answers (finish time, latency) pairs and errors by code."""
    done, errors, n = [], {}, 0
    while time.time() < until:
        request = raw_request(host, signed_body(host, "Pay", {
            "SenderTokenId": token, "CallerReference": f"{prefix}-{n}",
            "TransactionAmount.Value": "0.01", "TransactionAmount.CurrencyCode": "USD"}))
        n += 1
        start = time.perf_counter()
        try:
            status, text = send(port, request)
        except OSError as exc:
            status, text = 0, type(exc).__name__
        done.append((time.time(), time.perf_counter() - start))
        if status != 200 or PAID not in text:
            code = re.search(r"<Code>(\w+)</Code>", text)
            key = code.group(1) if code else f"HTTP {status}"
            errors[key] = errors.get(key, 0) + 1
    out.put((done, errors))


def pct(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))] * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--window", type=float, default=30, help="seconds per printed line")
    args = ap.parse_args()

    sink, sink_url = ipn_sink.start()
    proc, base, _ = pay_bench.spawn_server(args.workers, notify=sink_url)
    try:
        host, port = urlsplit(base).netloc, urlsplit(base).port
        run_id = f"soak-{int(time.time())}"
        ret = pay_bench.funded_instrument(base, run_id)
        started = time.time()
        until = started + args.minutes * 60
        out: mp.Queue = mp.Queue()
        procs = [mp.Process(target=client, args=(port, host, ret["prepaidSenderTokenID"], f"{run_id}-{i}", until, out))
                 for i in range(args.connections)]
        for p in procs:
            p.start()
        memory = []  # (seconds since start, KiB)
        while time.time() < until:
            time.sleep(min(args.window, max(0.0, until - time.time())))
            memory.append((time.time() - started, pay_bench.rss_kib(server_pids(proc.pid))))
        results = [out.get() for _ in procs]
        for p in procs:
            p.join()
        return report(args, base, proc, ret, started, memory, results, sink_url)
    finally:
        proc.terminate()
        proc.wait()
        sink.terminate()


def report(args, base, proc, ret, started, memory, results, sink_url) -> int:
    done = sorted((t - started, lat) for lats, _ in results for t, lat in lats)
    errors: dict[str, int] = {}
    for _, errs in results:
        for k, v in errs.items():
            errors[k] = errors.get(k, 0) + v
    print(f"{args.connections} connections, {args.workers} gunicorn sync workers, {args.minutes:g} minutes, "
          f"{'SQLite' if not os.environ.get('DATABASE_URL') else 'DATABASE_URL'}")
    print(f"{'window':>12} {'Pays/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'memory MiB':>11}")
    edges = [0.0] + [m[0] for m in memory]
    for (lo, hi), (_, kib) in zip(zip(edges, edges[1:], strict=False), memory, strict=True):
        lats = sorted(lat for t, lat in done if lo <= t < hi)
        if lats:
            print(f"{lo:5.0f}-{hi:4.0f} s {len(lats) / (hi - lo):8,.0f} {pct(lats, 0.5):8.1f} {pct(lats, 0.99):8.1f} "
                  f"{kib / 1024:11.1f}")
    lats = sorted(lat for _, lat in done)
    p99 = pct(lats, 0.99)
    first, last = memory[0][1], memory[-1][1]
    drift = (last - first) / first
    host, port = urlsplit(base).netloc, urlsplit(base).port
    _, text = pay_bench.post(host, port, signed_body(host, "GetPrepaidBalance", {
        "PrepaidInstrumentId": ret["prepaidInstrumentID"]}))
    balance = Decimal(re.search(r"<AvailableBalance><CurrencyCode>USD</CurrencyCode><Value>([\d.]+)", text).group(1))
    ok = len(lats) - sum(errors.values())
    exact = balance.quantize(Decimal("0.01")) == Decimal(1_000_000 - ok) / 100
    heard = ipn_sink.wait_for(sink_url, ok + 1)
    print(f"whole run     {len(lats):,} Pays, {len(lats) / (args.minutes * 60):,.0f}/s, p50 {pct(lats, 0.5):.1f} ms, "
          f"p99 {p99:.1f} ms (target < {P99_TARGET_MS:g}: {'met' if p99 < P99_TARGET_MS else 'not met'})")
    print(f"memory        {first / 1024:.1f} MiB after the first window, {last / 1024:.1f} MiB at the end: "
          f"{drift:+.1%} (target within ±{MEMORY_BAND:.0%}: {'met' if abs(drift) <= MEMORY_BAND else 'not met'})")
    print(f"errors        {sum(errors.values())} {errors if errors else ''}")
    print(f"final balance ${balance:,.2f} ({'exact' if exact else 'WRONG'})")
    print(f"notifications {heard[0]:,} POSTs for {heard[1]:,} transactions (expected {ok + 2:,} for {ok + 1:,})")
    print(f"machine       {os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M')}; load generator on the same cores")
    good = not errors and exact and heard == (ok + 2, ok + 1)
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
