#!/usr/bin/env python3
"""Benchmark: a class of 30 on two servers over one PostgreSQL database (issue 12).

Makes one sandbox per student (`flask sandboxes create`), starts two gunicorn servers (two workers each)
on the same database, and runs one scripted client per sandbox, all at once: the whole prepaid story (the
Co-Branded pages, FundPrepaid of $10.00 by card, waiting for it to complete), then 200 signed $0.01 Pays,
sent to the two servers in turn. It prints Pays/s over the Pay phase, p50/p99, errors (must be 0), every
prepaid balance checked to the cent, the books of every sandbox (the class overview's JSON), every
notification delivered, and how long a read answered by one server takes to show in the other's console.

    .venv/bin/python bench/classroom_bench.py [--students 30] [--pays 200] [--database-url URL]

Without --database-url it uses PG_URL (default: the local PostgreSQL's `test` database), in a schema of its
own; a sqlite:/// URL runs the same on one SQLite file. Not a test: figures drift with the machine.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import multiprocessing as mp
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pay_bench import KEY, SECRET, funded_instrument, raw_request, send, send_each, signed_body, start_gunicorn  # noqa: E402
from ratio_bench import pg_schema_url  # noqa: E402

PG_URL = os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
SCHEMA = "fps_bench_class"
FUNDING = "10.00"


def student(name: str, key: str, secret: str, bases: list[str], pays: int, barrier, out: mp.Queue) -> None:
    """One student's client: the prepaid story on its own server, then `pays` Pays to both servers in turn."""
    index = int(name[1:])
    try:
        ret = funded_instrument(bases[index % 2], name, key, secret, FUNDING)
        requests = []
        for n in range(pays):
            base = bases[(index + n) % 2]
            host = urlsplit(base).netloc
            requests.append((urlsplit(base).port, raw_request(host, signed_body(host, "Pay", {
                "SenderTokenId": ret["prepaidSenderTokenID"], "CallerReference": f"{name}-pay-{n}",
                "TransactionAmount.Value": "0.01", "TransactionAmount.CurrencyCode": "USD"}, key, secret))))
    except Exception as exc:  # noqa: BLE001 - reported, and the run counts it as an error
        barrier.wait()
        out.put({"name": name, "setup_error": repr(exc)[:300], "latencies": [], "errors": {}, "ended": 0.0})
        return
    barrier.wait()
    latencies, errors = send_each(requests)
    ended = time.monotonic()
    host = urlsplit(bases[0]).netloc
    _, text = send(urlsplit(bases[0]).port, raw_request(host, signed_body(
        host, "GetPrepaidBalance", {"PrepaidInstrumentId": ret["prepaidInstrumentID"]}, key, secret)))
    balance = re.search(r"<AvailableBalance>.*?<Value>([\d.]+)</Value>", text, re.S)
    out.put({"name": name, "latencies": latencies, "errors": errors, "ended": ended,
             "balance": balance.group(1) if balance else text[:200]})


def flask(env: dict, *args: str) -> str:
    done = subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "app", *args], cwd=ROOT, env=env,
                          check=True, capture_output=True, text=True)
    return done.stdout


def database(url: str | None) -> str:
    """The database for the run: a fresh schema (its sandboxes' schemas dropped too), or a new SQLite file."""
    url = url or PG_URL
    if url.startswith("sqlite"):
        return f"sqlite:///{Path(tempfile.mkdtemp(prefix='fps-class-')) / 'class.sqlite'}"
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for (schema,) in conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
                                      (f"{SCHEMA}_sbx_%",)).fetchall():
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    return pg_schema_url(url, SCHEMA)


def json_get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.loads(answer.read())


def visibility_ms(bases: list[str], name: str, key: str, secret: str, samples: int = 5) -> list[float]:
    """A read answered by the second server: how long until the first server's console finds its RequestId."""
    lags = []
    host, port = urlsplit(bases[1]).netloc, urlsplit(bases[1]).port
    for _ in range(samples):
        _, text = send(port, raw_request(host, signed_body(host, "GetAccountBalance", {}, key, secret)))
        request_id = re.search(r"<RequestId>([^<]+)</RequestId>", text).group(1)
        answered = time.monotonic()
        while time.monotonic() - answered < 10:
            with urllib.request.urlopen(f"{bases[0]}/admin/requests?sandbox={name}&q={quote(request_id)}", timeout=10) as page:
                if re.search(r"/admin/requests/\d+(\?|$)", page.url):
                    break
            time.sleep(0.01)
        lags.append((time.monotonic() - answered) * 1000)
        time.sleep(0.3)  # another point in the flush cycle
    return lags


def notifications(names: list[str], env: dict, wait: float = 120) -> dict[str, int]:
    """Every sandbox's notifications by state, once none is queued or `wait` seconds passed."""
    script = ("import sys, json\nfrom app import app\nfrom sqlalchemy import func, select\n"
              "from sandbox.models import Notification\n"
              "boxes = app.extensions['fps_sandboxes']\nout = {}\n"
              "with app.app_context():\n"
              "    for name in sys.argv[1:]:\n"
              "        with boxes.get(name).storage.read() as conn:\n"
              "            for state, n in conn.execute(select(Notification.state, func.count()).group_by(Notification.state)):\n"
              "                out[state] = out.get(state, 0) + n\n"
              "print(json.dumps(out))\n")
    deadline = time.monotonic() + wait
    while True:
        states = json.loads(subprocess.run([sys.executable, "-c", script, *names], cwd=ROOT, env=env, check=True,
                                           capture_output=True, text=True).stdout)
        if not states.get("queued") or time.monotonic() > deadline:
            return states
        time.sleep(2)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--pays", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    ap.add_argument("--database-url", help="default: PG_URL (PostgreSQL); sqlite:/// for one SQLite file")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="fps-class-"))
    url = database(args.database_url)
    env = {**os.environ, "FPS_SANDBOX_SQLALCHEMY_DATABASE_URI": url, "FPS_SANDBOX_FPS_KEY_DIR": str(work),
           "FPS_SANDBOX_SECRET_KEY": "classroom-bench", "FPS_SANDBOX_FPS_PENDING_SECONDS": "1",
           "FPS_SANDBOX_FPS_MAX_SANDBOXES": str(max(100, args.students))}
    flask(env, "reset", "--yes")
    names = [f"s{n:02d}" for n in range(1, args.students + 1)]
    flask(env, "sandboxes", "create", *names)
    keys = {row["sandbox"]: (row["access_key"], row["secret_key"])
            for row in csv.DictReader(io.StringIO(flask(env, "sandboxes", "roster"))) if row["caller"] == "DigitalDownload"}
    servers = [start_gunicorn("app:app", ROOT, env, args.workers) for _ in range(2)]
    bases = [base for _, base in servers]
    try:
        results, elapsed, story_seconds = run_class(names, keys, bases, args.pays)
        default = [f"d{n:02d}" for n in range(1, args.students + 1)]  # the same load, all in the default sandbox
        same_load = run_class(default, dict.fromkeys(default, (KEY, SECRET)), bases, args.pays)
        return report(args, env, bases, names, keys, results, elapsed, story_seconds, same_load)
    finally:
        for proc, _ in servers:
            proc.terminate()
            proc.wait()


def run_class(names: list[str], keys: dict, bases: list[str], pays: int) -> tuple[list[dict], float, float]:
    """Every student's client at once: their results, the Pay phase's seconds and the stories' seconds."""
    out: mp.Queue = mp.Queue()
    barrier = mp.Barrier(len(names) + 1)
    story_started = time.monotonic()
    procs = [mp.Process(target=student, args=(name, *keys[name], bases, pays, barrier, out)) for name in names]
    for p in procs:
        p.start()
    barrier.wait()
    started = time.monotonic()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    return results, max(r["ended"] for r in results) - started, started - story_started


def rate(results: list[dict], elapsed: float) -> tuple[float, float]:
    """Pays/s and p99 (ms) of a run."""
    latencies = sorted(lat for r in results for lat in r["latencies"])
    return len(latencies) / elapsed, latencies[int(0.99 * len(latencies))] * 1000 if latencies else float("nan")


def report(args, env, bases, names, keys, results, elapsed, story_seconds, same_load) -> int:
    latencies = sorted(lat for r in results for lat in r["latencies"])
    errors: dict[str, int] = {}
    for r in results:
        for code, n in r["errors"].items():
            errors[code] = errors.get(code, 0) + n
        if "setup_error" in r:
            errors[f"setup: {r['setup_error']}"] = 1
    expected = Decimal(FUNDING) - Decimal("0.01") * args.pays
    wrong = [f"{r['name']}: {r.get('balance')}" for r in results
             if "setup_error" not in r and Decimal(r["balance"] if re.fullmatch(r"[\d.]+", r["balance"]) else "-1")
             != expected]
    overview = json_get(f"{bases[0]}/admin/api/classroom")["sandboxes"]
    unbalanced = [row["name"] for row in overview if not row["books_balance"]]
    short = [row["name"] for row in overview if row["transactions"] != args.pays + 1]
    lags = visibility_ms(bases, names[0], *keys[names[0]])
    states = notifications(names, env)
    delivered, notified = states.get("delivered", 0), sum(states.values())
    engine = "PostgreSQL" if "postgresql" in env["FPS_SANDBOX_SQLALCHEMY_DATABASE_URI"] else "SQLite"

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else float("nan")

    print(f"Classroom bench, {engine}: {args.students} sandboxes x (prepaid story + {args.pays} Pays), two servers "
          f"x {args.workers} gunicorn workers, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
    print(f"  prepaid stories (Co-Branded pages, FundPrepaid by card, wait): {story_seconds:.1f} s for all")
    print(f"  Pays: {len(latencies)} in {elapsed:.2f} s = {len(latencies) / elapsed:.0f} Pays/s; "
          f"p50 {pct(0.50):.1f} ms, p99 {pct(0.99):.1f} ms, max {latencies[-1] * 1000 if latencies else 0:.1f} ms")
    reference_rate, reference_p99 = rate(same_load[0], same_load[1])
    reference_errors = sum(sum(r["errors"].values()) + ("setup_error" in r) for r in same_load[0])
    print(f"  the same load in the default sandbox alone: {reference_rate:.0f} Pays/s, p99 {reference_p99:.1f} ms, "
          f"{reference_errors} errors -> a class of sandboxes runs at {len(latencies) / elapsed / reference_rate:.2f} of it")
    print(f"  errors: {sum(errors.values())} {errors if errors else ''}")
    print(f"  balances: {len(results) - len(wrong)} of {len(results)} at ${expected} to the cent"
          + (f"; wrong: {wrong[:5]}" if wrong else ""))
    print(f"  books: {len(overview) - len(unbalanced)} of {len(overview)} sandboxes balance"
          + (f"; not: {unbalanced}" if unbalanced else "")
          + (f"; transaction counts off in {short}" if short else ""))
    print(f"  notifications delivered: {delivered} of {notified} {states}")
    print(f"  a read on server 2 shown by server 1's console after: {', '.join(f'{lag:.0f}' for lag in lags)} ms")
    ok = not errors and not wrong and not unbalanced and not short and len(overview) == args.students \
        and delivered == notified and max(lags) < 1000 and reference_errors == 0
    print("  verdict:", "OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
