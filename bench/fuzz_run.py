"""The long fuzz run: seeded hostile traffic against a fresh sandbox, counted by HTTP status.

    .venv/bin/python bench/fuzz_run.py                      # 100,000 requests on SQLite, seed 1
    .venv/bin/python bench/fuzz_run.py --requests 20000 --seed 7 --database-url postgresql://postgres@127.0.0.1/test

The same strategies and checks as tests/test_fuzz.py (tests/fuzzing.py), split between signed API
requests (60%), Co-Branded links (25%) and raw HTTP junk (15%), in-process through Flask's test
client. Prints the counts by status, every broken rule (a 5xx, a reply that is not FPS XML, ...), the
books check, and exits 1 if anything broke. On PostgreSQL it works in a schema of its own (fps_fuzz).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from conftest import services_of  # noqa: E402
from fuzzing import (Tally, api_requests, build_world, cbui_links, check_api_reply, check_cbui_reply,  # noqa: E402
                     check_raw_reply, raw_requests, send_raw)
from sandbox import create_app  # noqa: E402
from sandbox.domain.books import check_books, quick_check  # noqa: E402
from sandbox.runtime.world import load_fixture, reset  # noqa: E402

SHARES = (("api", 0.60), ("cbui", 0.25), ("raw", 0.15))


def database(url: str | None, work: Path) -> str:
    if not url:
        return f"sqlite:///{work / 'fuzz.sqlite'}"
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS fps_fuzz CASCADE")
        conn.execute("CREATE SCHEMA fps_fuzz")
    return url + ("&" if "?" in url else "?") + "options=-csearch_path%3Dfps_fuzz"


def run(kind: str, count: int, world, tally: Tally, chosen_seed: int) -> None:
    strategy = {"api": api_requests(world), "cbui": cbui_links(world), "raw": raw_requests()}[kind]

    @seed(chosen_seed)
    @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(request=strategy)
    def one(request):
        if kind == "api":
            method, values = request
            reply = (world.client.get("/?" + urlencode(values)) if method == "GET"
                     else world.client.post("/", data=values))
            check_api_reply(reply, tally, f"{method} {values.get('Action')!r}")
        elif kind == "cbui":
            check_cbui_reply(world.client.get(request), tally, request[:200])
        else:
            check_raw_reply(send_raw(world.client, request), request, tally)

    one()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        app = create_app({"TESTING": True, "PROPAGATE_EXCEPTIONS": False, "SECRET_KEY": "fuzz", "FPS_KEY_DIR": str(work),
                          "SQLALCHEMY_DATABASE_URI": database(args.database_url, work), "FPS_PENDING_SECONDS": 0,
                          "FPS_BACKGROUND_WORKER": False})
        with services_of(app).storage.write() as conn:
            reset(conn, load_fixture(ROOT / "fixtures" / "demo.json"), datetime(2026, 1, 1))
        world = build_world(app)
        tallies, started = {}, time.monotonic()
        for kind, share in SHARES:
            tallies[kind] = Tally()
            run(kind, round(args.requests * share), world, tallies[kind], args.seed)
        elapsed = time.monotonic() - started
        with services_of(app).storage.read() as conn:
            full, quick = check_books(conn), quick_check(conn)
    total = sum(sum(t.statuses.values()) for t in tallies.values())
    print(f"{total:,} requests in {elapsed:.0f} s (seed {args.seed}, "
          f"{'PostgreSQL' if args.database_url else 'SQLite'})")
    for kind, tally in tallies.items():
        counts = ", ".join(f"{status}: {n:,}" for status, n in sorted(tally.statuses.items()))
        print(f"  {kind:5} {sum(tally.statuses.values()):>7,}  {counts}")
    codes = tallies["api"].codes
    print(f"  {len(codes)} distinct FPS error codes met; most common: "
          + ", ".join(f"{code} {n:,}" for code, n in codes.most_common(8)))
    problems = [p for t in tallies.values() for p in t.problems]
    five = sum(n for t in tallies.values() for s, n in t.statuses.items() if s >= 500)
    print(f"responses >= 500: {five}; broken rules: {len(problems)}; books: "
          f"{'balanced' if full.ok and quick.ok else full.problems + quick.problems} ({full.lines:,} ledger lines)")
    for problem in problems:
        print("  PROBLEM", problem)
    return 0 if not problems and not five and full.ok and quick.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
