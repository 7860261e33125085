"""Make an upgrade fixture with an earlier release of the sandbox (run by hand, never by pytest).

    git worktree add /tmp/rel6 663f827      # the last release with schema 6
    .venv/bin/python tests/upgrade/make_fixture.py /tmp/rel6 tests/upgrade/schema6

The release's own code (its `sandbox` package and its test helpers) plays a short story on SQLite
and on PostgreSQL (a schema of its own in $PG_URL): both prepaid and postpaid instruments, Pays, a
refund, a settlement, a write-off, a cancelled token, a notification URL, an armed fault and a moved
clock. It then writes what that release leaves behind: `sqlite.sql` (the SQLite file, dumped),
`postgresql.sql` (pg_dump of its schema, names unqualified so a test can load it anywhere) and
`snapshot.json` (a named snapshot saved by the release). tests/test_migrations.py upgrades all three.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

PG_URL = os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
PG_SCHEMA = "fps_fixture_maker"


def main(release: Path, out: Path) -> None:
    sys.path[:0] = [str(release), str(release / "tests")]
    os.chdir(release)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        play(f"sqlite:///{work / 'sandbox.sqlite'}", work, snapshot_to=out / "snapshot.json")
        with sqlite3.connect(work / "sandbox.sqlite") as db:
            (out / "sqlite.sql").write_text("\n".join(db.iterdump()) + "\n")
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
            conn.execute(f"CREATE SCHEMA {PG_SCHEMA}")
        play(f"{PG_URL}?options=-csearch_path%3D{PG_SCHEMA}", work)
        dump = subprocess.run(["pg_dump", "--inserts", "--no-owner", "--no-privileges", "--schema", PG_SCHEMA,
                               PG_URL], check=True, capture_output=True, text=True).stdout
        (out / "postgresql.sql").write_text(unqualified(dump))
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {PG_SCHEMA} CASCADE")
    print(f"wrote {out}/sqlite.sql, postgresql.sql, snapshot.json")


def unqualified(dump: str) -> str:
    """pg_dump's text without its schema: loaded, it lands in the connection's search_path."""
    keep = []
    for line in dump.splitlines():
        if line.startswith(("CREATE SCHEMA", "SELECT pg_catalog.set_config('search_path'", "SET ", "\\")):
            continue
        keep.append(line.replace(f"{PG_SCHEMA}.", ""))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(keep)) + "\n"


def play(url: str, work: Path, snapshot_to: Path | None = None) -> None:
    """The story, told by the release's own code through its own test client."""
    from conftest import DD_KEY, DD_SECRET, NEWS_KEY, NEWS_SECRET, Buyer, SignedCaller, postpaid_params, prepaid_params
    from sandbox import create_app, snapshots
    from sandbox.services import services
    from sandbox.world import load_fixture, reset

    app = create_app({"TESTING": True, "SECRET_KEY": "fixture", "SQLALCHEMY_DATABASE_URI": url,
                      "FPS_KEY_DIR": str(work), "FPS_PENDING_SECONDS": 0, "FPS_BACKGROUND_WORKER": False,
                      "FPS_SEED": 6})
    with app.app_context():
        svc = services()
    with svc.storage.write() as conn:
        reset(conn, load_fixture(Path("fixtures/demo.json")), datetime(2026, 1, 1))
    client = app.test_client()
    fps, news, buyer = SignedCaller(client, DD_KEY, DD_SECRET), SignedCaller(client, NEWS_KEY, NEWS_SECRET), Buyer(client)

    def ok(response, path):
        assert response.find(path), response.text
        return response.find(path)

    card = buyer.authorize(prepaid_params("1"), method_label="Visa")
    ok(fps.call("FundPrepaid", SenderTokenId=card["fundingTokenID"], PrepaidInstrumentId=card["prepaidInstrumentID"],
                CallerReference="fund-card", **{"FundingAmount.Value": "10.00"}), "FundPrepaidResult/TransactionId")
    pays = [ok(fps.call("Pay", SenderTokenId=card["prepaidSenderTokenID"], CallerReference=f"song-{n}",
                        **{"TransactionAmount.Value": "0.50"}), "PayResult/TransactionId") for n in range(5)]
    ok(fps.call("Refund", TransactionId=pays[0], CallerReference="refund-1", **{"RefundAmount.Value": "0.25"}),
       "RefundResult/TransactionId")
    abt = buyer.authorize(prepaid_params("2", amount="5.00"))
    ok(fps.call("FundPrepaid", SenderTokenId=abt["fundingTokenID"], PrepaidInstrumentId=abt["prepaidInstrumentID"],
                CallerReference="fund-abt", **{"FundingAmount.Value": "5.00"}), "FundPrepaidResult/TransactionId")
    ok(fps.call("CancelToken", TokenId=abt["prepaidSenderTokenID"], ReasonText="lesson over"), "ResponseMetadata/RequestId")
    tab = buyer.authorize(postpaid_params(), email="reader@example.com", method_label="Mastercard",
                          key=NEWS_KEY, secret=NEWS_SECRET)
    for n in range(3):
        ok(news.call("Pay", SenderTokenId=tab["creditSenderTokenID"], CallerReference=f"article-{n}",
                     **{"TransactionAmount.Value": "1.00"}), "PayResult/TransactionId")
    ok(news.call("SettleDebt", CreditInstrumentId=tab["creditInstrumentID"], SenderTokenId=tab["settlementTokenID"],
                 CallerReference="settle-1", **{"SettlementAmount.Value": "2.00"}), "SettleDebtResult/TransactionId")
    ok(news.call("WriteOffDebt", CreditInstrumentId=tab["creditInstrumentID"], CallerReference="write-off-1",
                 **{"AdjustmentAmount.Value": "1.00"}), "WriteOffDebtResult/TransactionId")
    refused = fps.call("Pay", SenderTokenId=card["prepaidSenderTokenID"], CallerReference="too-much",
                       **{"TransactionAmount.Value": "50.00"})
    assert refused.error_code, refused.text
    assert client.post("/admin/faults.json", json={"action": "Refund", "error_code": "InternalError", "count": 2}).status_code == 201
    with svc.storage.write() as conn:
        conn.exec_driver_sql("UPDATE account SET ipn_url = 'https://merchant.example.com/ipn', ipn_twice = true "
                             "WHERE access_key = 'AKIAIOSFODNN7EXAMPLE'")
    svc.clock.move(timedelta(days=2))  # the sandbox clock two days ahead, kept in sandbox_meta
    try:  # running totals (schema 7 on): folded once, then one more Pay lands above the watermark
        from sandbox.domain import rollups
    except ImportError:
        rollups = None
    if rollups:
        with svc.storage.write() as conn:
            rollups.advance_books(conn), rollups.advance_callers(conn)
    ok(fps.call("Pay", SenderTokenId=card["prepaidSenderTokenID"], CallerReference="after-the-fold",
                **{"TransactionAmount.Value": "0.01"}), "PayResult/TransactionId")
    assert client.get("/admin/").status_code == 200
    if snapshot_to:
        app.config["FPS_SNAPSHOT_DIR"] = str(work / "snapshots")
        snapshots.save(svc.storage, work / "snapshots", "lesson")
        snapshot_to.write_text((work / "snapshots" / "lesson.json").read_text())
    with app.app_context():
        from sandbox.extensions import db

        db.engine.dispose()


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve())
