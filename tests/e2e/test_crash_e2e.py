"""Crash safety: gunicorn is killed (-9, master and workers at once) in the middle of a stream of signed
Pays. Every Pay a client saw acknowledged is there afterwards, with its ledger lines, its notification
and its request-log entry; the books balance; the restarted server takes Pays again."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, text

from conftest import DD_KEY, DD_SECRET, Buyer, SignedCaller, assert_books_balance, dispose, prepaid_params, signed_params
from e2e.conftest import e2e_database_url, free_port
from e2e.test_ipn_e2e import crash, start_server
from sandbox import create_app
from sandbox.runtime.services import services
from sandbox.runtime.world import load_fixture, reset

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e
NS = "{http://fps.amazonaws.com/doc/2008-09-17/}"


def funded_instrument(db: str, key_dir: Path) -> str:
    """A fresh demo world with John's $100.00 prepaid instrument (10,000 Pays of $0.01), set up in-process;
    its sender token."""
    app = create_app({"TESTING": True, "SECRET_KEY": "e2e", "SQLALCHEMY_DATABASE_URI": db, "FPS_KEY_DIR": str(key_dir),
                      "FPS_PENDING_SECONDS": 0, "FPS_BACKGROUND_WORKER": False})
    with app.app_context():
        storage = services().storage
    with storage.write() as conn:
        reset(conn, load_fixture(ROOT / "fixtures" / "demo.json"), datetime(2026, 1, 1))
    client = app.test_client()
    ret = Buyer(client).authorize(prepaid_params("crash", amount="100.00"))
    funded = SignedCaller(client, DD_KEY, DD_SECRET).call(
        "FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
        CallerReference="crash-fund", **{"FundingAmount.Value": "100.00"})
    assert funded.find("FundPrepaidResult/TransactionStatus") == "Success", funded.text
    dispose(app)
    return ret["prepaidSenderTokenID"]


def pay_until_refused(port: int, token: str, worker: int, acknowledged: list, stop: threading.Event) -> None:
    """Signed $0.01 Pays on one keep-alive connection until the server goes away."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    n = 0
    while not stop.is_set():
        n += 1
        values = signed_params("Pay", {"SenderTokenId": token, "CallerReference": f"crash-{worker}-{n}",
                                       "TransactionAmount.Value": "0.01"}, DD_KEY, DD_SECRET, host="127.0.0.1")
        try:
            conn.request("POST", "/", urlencode(values), {"Content-Type": "application/x-www-form-urlencoded"})
            reply = conn.getresponse()
            body = reply.read()
        except (OSError, http.client.HTTPException):
            return  # the server is gone: this Pay was never acknowledged
        if reply.status == 200:
            acknowledged.append(ET.fromstring(body).find(f"{NS}PayResult/{NS}TransactionId").text)


def test_every_acknowledged_pay_survives_a_kill_9(tmp_path):
    db = e2e_database_url(tmp_path, schema="fps_e2e_kill")
    token = funded_instrument(db, tmp_path)
    env = {**os.environ, "FPS_SANDBOX_SQLALCHEMY_DATABASE_URI": db, "FPS_SANDBOX_FPS_KEY_DIR": str(tmp_path),
           "FPS_SANDBOX_SECRET_KEY": "e2e"}
    port = free_port()
    server = start_server(env, port, tmp_path / "server.log")
    acknowledged: list[str] = []
    stop = threading.Event()
    clients = [threading.Thread(target=pay_until_refused, args=(port, token, n, acknowledged, stop)) for n in range(4)]
    try:
        for thread in clients:
            thread.start()
        deadline = time.time() + 30
        while len(acknowledged) < 300 and time.time() < deadline:
            time.sleep(0.05)
    finally:
        crash(server)  # while the Pays are still coming
        stop.set()
        for thread in clients:
            thread.join(timeout=15)
    assert len(acknowledged) >= 300, (tmp_path / "server.log").read_text()[-2000:]

    engine = create_engine(db.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            found = {row.transaction_id: row for row in conn.execute(text(
                "SELECT t.transaction_id, t.status, "
                "(SELECT count(*) FROM ledger_entry l WHERE l.transaction_pk = t.id) AS lines, "
                "(SELECT coalesce(sum(l.amount_cents), 0) FROM ledger_entry l WHERE l.transaction_pk = t.id) AS net, "
                "(SELECT count(*) FROM notification n WHERE n.transaction_pk = t.id) AS notes, "
                "(SELECT count(*) FROM api_call a WHERE a.transaction_id = t.transaction_id) AS logged "
                "FROM fps_transaction t WHERE t.operation = 'Pay'"))}
    finally:
        engine.dispose()
    for tid in acknowledged:
        row = found.get(tid)
        assert row is not None, f"acknowledged Pay {tid} is gone"
        assert row.status == "Success" and row.lines >= 2 and row.net == 0, row
        assert row.notes == 1 and row.logged == 1, row

    flask = str(Path(sys.executable).parent / "flask")
    up = subprocess.run([flask, "--app", "app", "init-db"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert "up to date" in up.stdout, up.stdout + up.stderr
    server = start_server(env, port, tmp_path / "server.log")
    try:
        after: list[str] = []
        done = threading.Event()
        pay_once = threading.Thread(target=pay_until_refused, args=(port, token, 99, after, done))
        pay_once.start()
        time.sleep(0.5)
        done.set()
        pay_once.join(timeout=15)
        assert after, "the restarted server took no Pay"
    finally:
        crash(server)
    app = create_app({"TESTING": True, "SECRET_KEY": "e2e", "SQLALCHEMY_DATABASE_URI": db, "FPS_KEY_DIR": str(tmp_path),
                      "FPS_BACKGROUND_WORKER": False})
    assert_books_balance(app)
    dispose(app)
