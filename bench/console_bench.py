#!/usr/bin/env python3
"""Benchmark: the admin console at a million transactions.

Builds a sandbox the way merchants would fill it, then times every console page and filter:

  * setup through the faces (Co-Branded pages, signed API): 20 prepaid instruments at
    DigitalDownload funded with $10,000.00 each by card, and 5 credit tabs at The Daily Byte;
  * then --transactions Pays of $0.01 through the domain itself (payments.pay, the code the API
    runs), thousands per unit of work so that seeding takes minutes, not the hours a million
    HTTP requests would; each Pay gets a request-log row copied from a real logged Pay;
  * then, through the API again, the rare rows the filters look for: SettleDebt, WriteOffDebt,
    refunds, a denied funding, failed calls.

Each page is fetched --repeat times in-process (Flask test client, no network) and the median
and worst times are printed, with the database's size. Pages must stay under --target ms.

  .venv/bin/python bench/console_bench.py                      # SQLite, 1,000,000 Pays
  .venv/bin/python bench/console_bench.py --transactions 100000
  .venv/bin/python bench/console_bench.py --database-url postgresql://postgres@127.0.0.1:5432/test  # schema fps_bench
  .venv/bin/python bench/console_bench.py --reuse /tmp/console-bench.sqlite   # time an existing one
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import (DD_KEY, DD_SECRET, NEWS_KEY, NEWS_SECRET, Buyer, SignedCaller,  # noqa: E402
                      postpaid_params, prepaid_params)
from sqlalchemy import func, insert, select  # noqa: E402

from sandbox import create_app  # noqa: E402
from sandbox.domain import accounts, payments, transactions  # noqa: E402
from sandbox.domain.call import Call  # noqa: E402
from sandbox.models import ApiCall, FpsTransaction, Token  # noqa: E402
from sandbox.domain.books import quick_check  # noqa: E402
from sandbox.runtime.services import fold_totals, services  # noqa: E402
from sandbox.runtime.world import load_fixture, reset  # noqa: E402

BATCH = 5000


def amount(prefix: str, value: str) -> dict:
    return {f"{prefix}.Value": value, f"{prefix}.CurrencyCode": "USD"}


def make_app(url: str, key_dir: str):
    return create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "FPS_KEY_DIR": key_dir,
                       "FPS_PENDING_SECONDS": 0, "FPS_BACKGROUND_WORKER": False, "TESTING": True,
                       "FPS_SNAPSHOT_DIR": key_dir})


def seed(app, total: int) -> None:
    svc = _svc(app)
    with svc.storage.write() as conn:
        reset(conn, load_fixture(ROOT / "fixtures" / "demo.json"), svc.clock.now())
    client = app.test_client()
    buyer, fps, news = Buyer(client), SignedCaller(client, DD_KEY, DD_SECRET), SignedCaller(client, NEWS_KEY, NEWS_SECRET)
    senders = []
    for n in range(20):
        ret = buyer.authorize(prepaid_params(f"b{n}", amount="10000.00"), method_label="Visa")
        r = fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
                     CallerReference=f"fund-{n}", **amount("FundingAmount", "10000.00"))
        assert r.error_code is None, r.text
        senders.append(ret["prepaidSenderTokenID"])
    tabs = [buyer.authorize(postpaid_params(f"b{n}", credit="500.00", total="5000.00"), email="reader@example.com",
                            method_label="Mastercard", key=NEWS_KEY, secret=NEWS_SECRET) for n in range(5)]
    for n, tab in enumerate(tabs):
        for k in range(20):
            news.call("Pay", SenderTokenId=tab["creditSenderTokenID"], CallerReference=f"tab{n}-{k}",
                      **amount("TransactionAmount", "1.00"))
    sample = fps.call("Pay", SenderTokenId=senders[0], CallerReference="sample", **amount("TransactionAmount", "0.01"))
    template = _logged_pay(app)
    if svc.storage.engine.dialect.name == "postgresql":
        copy_pays(svc, total, sample.find("PayResult/TransactionId"))
    else:
        pay_in_bulk(svc, total, senders, template)
    # the rare rows the filters look for, through the API
    for n, tab in enumerate(tabs):
        news.call("SettleDebt", SenderTokenId=tab["settlementTokenID"], CreditInstrumentId=tab["creditInstrumentID"],
                  CallerReference=f"settle-{n}", **amount("SettlementAmount", "5.00"))
        news.call("WriteOffDebt", CreditInstrumentId=tab["creditInstrumentID"], CallerReference=f"wo-{n}",
                  **amount("AdjustmentAmount", "1.00"))
    tid = sample.find("PayResult/TransactionId")
    fps.call("Refund", TransactionId=tid, CallerReference="refund-1")
    ret = buyer.authorize(prepaid_params("denied"), method_label="Visa")
    fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
             CallerReference="denied", **amount("FundingAmount", "9.75"))
    for n in range(20):
        fps.call("Pay", SenderTokenId="NOPE" * 4, CallerReference=f"bad-{n}", **amount("TransactionAmount", "0.01"))
    run_lesson(client)
    svc.request_log.flush()
    fold_totals(svc)


def run_lesson(client) -> None:
    """A whole prepaid lesson, clicked through as a teacher would (tests/test_lessons.py's steps)."""
    from test_lessons import click_through, do, page, start

    run = start(client, "prepaid")
    click_through(client, page(client, f"{run}/2"))
    for n in range(3, 9):
        do(client, run, n)


def copy_pays(svc, total: int, template_id: str) -> None:
    """PostgreSQL: the domain runs ~300 Pays/s in-process there (a round trip per statement), an hour
    for a million. So copy one real Pay's rows (transaction, status, ledger lines, notification,
    request) `total` times in SQL, spread over the prepaid instruments, and draw their balances down
    by as much: the same rows the domain would write, the books still balanced."""
    from sqlalchemy import text

    started = time.perf_counter()
    with svc.storage.write() as conn:
        conn.execute(text("""
            CREATE TEMP TABLE copies ON COMMIT DROP AS
            SELECT g, 'C' || lpad(g::text, 34, '0') AS transaction_id, s.instrument_pk, s.id AS token_pk
            FROM generate_series(1, :total) AS g
            JOIN (SELECT id, instrument_pk, row_number() OVER (ORDER BY id) - 1 AS n FROM token
                  WHERE role = 'PrepaidSender') s ON s.n = g % (SELECT count(*) FROM token WHERE role = 'PrepaidSender')
        """), {"total": total})
        tp = conn.execute(text("SELECT id FROM fps_transaction WHERE transaction_id = :t"), {"t": template_id}).scalar()
        conn.execute(text("""
            INSERT INTO fps_transaction (transaction_id, caller_reference, fingerprint, operation, payment_method,
                caller_id, sender_id, recipient_id, instrument_pk, sender_token_pk, amount_cents, fee_cents, fees_paid_by,
                status, status_code, status_message, caller_description, sender_description, date_received,
                date_completed, parent_pk, due_at, outcome, override_ipn_url)
            SELECT c.transaction_id, 'copy-' || c.g, t.fingerprint, t.operation, t.payment_method, t.caller_id,
                t.sender_id, t.recipient_id, c.instrument_pk, c.token_pk, t.amount_cents, t.fee_cents, t.fees_paid_by,
                t.status, t.status_code, t.status_message, t.caller_description, t.sender_description,
                t.date_received + c.g * interval '1 millisecond', t.date_completed + c.g * interval '1 millisecond',
                NULL, NULL, NULL, NULL
            FROM copies c, fps_transaction t WHERE t.id = :tp ORDER BY c.g"""), {"tp": tp})
        new = "SELECT f.id, f.transaction_id, f.instrument_pk, f.date_received FROM fps_transaction f " \
              "WHERE f.caller_reference LIKE 'copy-%'"
        conn.execute(text(f"""
            INSERT INTO status_history (transaction_pk, date, status, status_code, amount_cents)
            SELECT n.id, n.date_received, h.status, h.status_code, h.amount_cents
            FROM ({new}) n, status_history h WHERE h.transaction_pk = :tp ORDER BY n.id"""), {"tp": tp})
        conn.execute(text(f"""
            INSERT INTO ledger_entry (journal, transaction_pk, book, amount_cents, memo, created_at)
            SELECT n.transaction_id, n.id,
                CASE WHEN l.book LIKE 'prepaid:%' THEN 'prepaid:' || n.instrument_pk ELSE l.book END,
                l.amount_cents, l.memo, n.date_received
            FROM ({new}) n, ledger_entry l WHERE l.transaction_pk = :tp ORDER BY n.id, l.id"""), {"tp": tp})
        conn.execute(text(f"""
            INSERT INTO notification (caller_id, notification_type, transaction_pk, token_pk, status, status_code, url,
                state, created_at, next_attempt_at, attempts, forced_failures_left, twice, edited_fields, delivered_at)
            SELECT o.caller_id, o.notification_type, n.id, NULL, o.status, o.status_code, o.url, o.state,
                n.date_received, NULL, o.attempts, 0, false, NULL, o.delivered_at
            FROM ({new}) n, notification o WHERE o.transaction_pk = :tp ORDER BY n.id"""), {"tp": tp})
        conn.execute(text(f"""
            INSERT INTO api_call (request_id, at, face, action, caller_id, access_key, method, host, path, params,
                verdict, string_to_sign, diagnosis, http_status, error_code, response, duration_ms, transaction_id)
            SELECT 'copy-' || n.id, n.date_received, a.face, a.action, a.caller_id, a.access_key, a.method, a.host,
                a.path, a.params, a.verdict, a.string_to_sign, a.diagnosis, a.http_status, a.error_code, a.response,
                a.duration_ms, n.transaction_id
            FROM ({new}) n, api_call a WHERE a.transaction_id = :t ORDER BY n.id"""), {"t": template_id})
        conn.execute(text("""
            UPDATE instrument i SET balance_cents = i.balance_cents - s.spent
            FROM (SELECT c.instrument_pk, count(*) * (SELECT amount_cents FROM fps_transaction WHERE id = :tp) AS spent
                  FROM copies c GROUP BY c.instrument_pk) s WHERE s.instrument_pk = i.id"""), {"tp": tp})
    print(f"  copied a Pay {total:,} times in {time.perf_counter() - started:,.0f} s")
    with svc.storage.write() as conn:
        conn.execute(text("ANALYZE"))


def pay_in_bulk(svc, total: int, senders: list[str], template: dict) -> None:
    """Pays through the domain itself, BATCH to a unit of work, each with a request-log row."""
    started, done = time.perf_counter(), 0
    while done < total:
        n = min(BATCH, total - done)
        with svc.storage.write() as conn:
            caller = accounts.caller_context(conn, DD_KEY, svc.clock.now()).caller
            logged = []
            for i in range(done, done + n):
                now = svc.clock.now()
                ref = f"bulk-{i}"
                call = Call(conn, caller, now, svc.ids, svc.policy, caller_reference=ref,
                            fingerprint=transactions.fingerprint("Pay", {"i": str(i)}))
                result = payments.pay(call, sender_token_id=senders[i % len(senders)], amount_cents=1)
                logged.append({**template, "request_id": f"bench-{i}", "at": now, "transaction_id": result.transaction_id,
                               "params": template["params"].replace("sample", ref)})
            conn.execute(insert(ApiCall), logged)
        done += n
        rate = done / (time.perf_counter() - started)
        print(f"\r  seeded {done:,} Pays ({rate:,.0f}/s)", end="", flush=True)
    print()


def _svc(app):
    with app.app_context():
        return services()


def _logged_pay(app) -> dict:
    svc = _svc(app)
    svc.request_log.flush()
    with svc.storage.read() as conn:
        row = conn.execute(select(ApiCall.__table__).where(ApiCall.action == "Pay").order_by(ApiCall.id.desc())).first()
    out = dict(row._mapping)
    out.pop("id")
    return out


def pages(app) -> list[tuple[str, str]]:
    """(name, URL) of every console page worth timing, with real ids from the seeded data."""
    svc = _svc(app)
    with svc.storage.read() as conn:
        newest = conn.execute(select(FpsTransaction.transaction_id).order_by(FpsTransaction.id.desc())).scalar()
        middle_id = conn.execute(select(func.max(FpsTransaction.id))).scalar() // 2
        middle = conn.execute(select(FpsTransaction.transaction_id).where(FpsTransaction.id == middle_id)).scalar()
        ref = conn.execute(select(FpsTransaction.caller_reference).where(FpsTransaction.id == middle_id)).scalar()
        busy = conn.execute(select(Token.token_id).where(Token.role == "PrepaidSender").order_by(Token.id)).scalar()
        inst = conn.execute(select(FpsTransaction.instrument_pk).where(FpsTransaction.id == middle_id)).scalar()
        from sandbox.models import ApiCall as A, Instrument, Notification

        instrument_id = conn.execute(select(Instrument.instrument_id).where(Instrument.id == inst)).scalar()
        top_call = conn.execute(select(func.max(A.id))).scalar()
        request_id = conn.execute(select(A.request_id).where(A.id == top_call // 2)).scalar()
        note = conn.execute(select(func.max(Notification.id))).scalar()
        from sandbox.models import LessonRun

        lesson = conn.execute(select(func.max(LessonRun.id))).scalar()
    half = middle_id
    return [
        ("dashboard", "/admin/"),
        ("accounts", "/admin/accounts"),
        ("accounts, buyers", "/admin/accounts?role=buyers"),
        ("account (caller)", "/admin/accounts/1"),
        ("account (buyer)", "/admin/accounts/3"),
        ("transactions", "/admin/transactions"),
        ("transactions, page in the middle", f"/admin/transactions?before={half}"),
        ("transactions, caller=The Daily Byte", "/admin/transactions?caller=2"),
        ("transactions, buyer=Rita", "/admin/transactions?sender=4"),
        ("transactions, status=Failure", "/admin/transactions?status=Failure"),
        ("transactions, operation=SettleDebt", "/admin/transactions?operation=SettleDebt"),
        ("transactions, operation=Pay", "/admin/transactions?operation=Pay"),
        ("transactions, search CallerReference", f"/admin/transactions?q={ref}"),
        ("transactions, search TransactionId", f"/admin/transactions?q={middle}"),
        ("transactions, by instrument", f"/admin/transactions?instrument={instrument_id}"),
        ("transaction (newest)", f"/admin/transactions/{newest}"),
        ("transaction (middle)", f"/admin/transactions/{middle}"),
        ("instruments", "/admin/instruments"),
        ("instrument (busy)", f"/admin/instruments/{instrument_id}"),
        ("tokens", "/admin/tokens"),
        ("token (busy)", f"/admin/tokens/{busy}"),
        ("ledger", "/admin/ledger"),
        ("ledger, book=fee_revenue", "/admin/ledger?book=fee_revenue"),
        ("ledger, busy prepaid book", f"/admin/ledger?book=prepaid:{inst}"),
        ("ledger, one journal", f"/admin/ledger?journal={middle}"),
        ("notifications", "/admin/notifications"),
        ("notifications, state=queued", "/admin/notifications?state=queued"),
        ("notifications, caller=The Daily Byte", "/admin/notifications?caller=2"),
        ("notifications, search TransactionId", f"/admin/notifications?q={middle}"),
        ("notification", f"/admin/notifications/{note}"),
        ("requests", "/admin/requests"),
        ("requests, errors only", "/admin/requests?errors=1"),
        ("requests, action=SettleDebt", "/admin/requests?action=SettleDebt"),
        ("requests, caller=The Daily Byte", f"/admin/requests?key={NEWS_KEY}"),
        ("requests, search RequestId", f"/admin/requests?q={request_id}"),
        ("request", f"/admin/requests/{top_call // 2}"),
        ("faults", "/admin/faults"),
        ("fee lab (scenarios, fees saved here)", "/admin/lab"),
        ("fee schedules and calculator", "/admin/fees?amount=0.50"),
        ("chart: Pays per day", "/admin/charts/pays.svg"),
        ("chart: money and fees per day", "/admin/charts/money.svg"),
        ("chart: fees as purchases add up", "/admin/lab/cumulative.svg"),
        ("transaction's sequence diagram (.svg)", f"/admin/transactions/{middle}/sequence.svg"),
        ("lessons", "/admin/lessons"),
        ("lesson step: twenty Pays done", f"/admin/lessons/run/{lesson}/5"),
        ("lesson's last step (whole-run diagram)", f"/admin/lessons/run/{lesson}/8"),
        ("merchant inbox", "/merchant/"),
        ("error-handling coverage", "/admin/coverage"),
        ("classroom", "/admin/classroom"),
        ("full books check (on request)", "/admin/ledger/check"),
    ]


def time_pages(app, repeat: int, target_ms: float) -> int:
    client = app.test_client()
    slow = 0
    print(f"{'page':44} {'median':>9} {'worst':>9}  status")
    for name, url in pages(app):
        times, status = [], None
        for _ in range(repeat if "check" not in name else 1):
            t0 = time.perf_counter()
            r = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            status = r.status_code
            body = r.get_data(as_text=True)
        median, worst = statistics.median(times), max(times)
        over = "check" not in name and median > target_ms
        slow += over
        rows = len(re.findall(r"<tr>", body))
        print(f"{name:44} {median:8.1f}ms {worst:8.1f}ms  {status} ({rows} rows){'  OVER TARGET' if over else ''}")
        if status not in (200, 302):
            slow += 1
    return slow


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--transactions", type=int, default=1_000_000)
    ap.add_argument("--database-url", help="default: a new SQLite file in a temporary folder")
    ap.add_argument("--reuse", help="time an SQLite file seeded before (no seeding)")
    ap.add_argument("--keep", action="store_true", help="keep the SQLite file and print its path")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--target", type=float, default=250.0, help="median ms every page must stay under")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="console-bench-")
    url = args.database_url or f"sqlite:///{args.reuse or os.path.join(tmp, 'sandbox.sqlite')}"
    if url.startswith("postgresql"):  # a schema of its own: never the tests' tables
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE SCHEMA IF NOT EXISTS fps_bench")
        url += ("&" if "?" in url else "?") + "options=-csearch_path%3Dfps_bench"
    app = make_app(url, tmp)
    if not args.reuse:
        t0 = time.perf_counter()
        seed(app, args.transactions)
        print(f"seeded in {time.perf_counter() - t0:,.0f} s")
    with _svc(app).storage.read() as conn:
        counts = {t: conn.execute(select(func.count()).select_from(m.__table__)).scalar()
                  for t, m in (("transactions", FpsTransaction), ("request log", ApiCall))}
        books = quick_check(conn)
    print("books:", "balanced" if books.ok else books.problems[:5], f"({books.lines:,} lines)")
    size = os.path.getsize(url.removeprefix("sqlite:///")) if url.startswith("sqlite") else None
    print(json.dumps({**counts, "database": url.split("@")[-1],
                      **({"size_mib": round(size / 2**20)} if size else {})}))
    slow = time_pages(app, args.repeat, args.target)
    if args.keep or args.reuse:
        print("database:", url)
    print("OK: every page under target" if not slow else f"{slow} page(s) over target or failing")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
