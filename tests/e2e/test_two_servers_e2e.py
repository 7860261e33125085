"""One sandbox across two servers: two gunicorn servers (two workers each) on different ports over one
database (PostgreSQL with TEST_DATABASE_URL, else one SQLite file). The buyer walks the Co-Branded pages
in Chromium on one; boto 2 makes the API calls on the other; a snapshot saved on one is restored on the
other; each server's console shows the other's calls; every notification arrives exactly once though
four background workers deliver."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from sqlalchemy import create_engine, text

from sandbox.compat.boto2 import connect
from e2e.conftest import e2e_database_url, free_port
from e2e.test_ipn_e2e import crash, start_server
from e2e.test_story_e2e import DD_KEY, DD_SECRET, boto_cbui_link, click_through, prepaid_balance
from listener import Listener

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def _json(url: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"},
                                     method="GET" if body is None else "POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def _logged(base: str, request_id: str) -> bool:
    """Whether the server at `base` shows the call with this RequestId in its request log."""
    with urllib.request.urlopen(f"{base}/admin/requests?q={quote(request_id)}", timeout=10) as answer:
        return re.search(r"/admin/requests/\d+(\?|$)", answer.url) is not None  # found: the call's own page


def _wait(listener: Listener, count: int, seconds: float = 20) -> list[dict]:
    deadline = time.time() + seconds
    while time.time() < deadline and len(listener.fields()) < count:
        time.sleep(0.1)
    return listener.fields()


def test_one_sandbox_on_two_servers(tmp_path, merchant, browser):
    db = e2e_database_url(tmp_path, schema="fps_e2e_two")
    env = {**os.environ, "FPS_SANDBOX_SQLALCHEMY_DATABASE_URI": db, "FPS_SANDBOX_FPS_KEY_DIR": str(tmp_path),
           "FPS_SANDBOX_SECRET_KEY": "e2e", "FPS_SANDBOX_FPS_IPN_RETRY_SECONDS": "1,1,1,1,1,1,1,1,1,1"}
    flask = str(Path(sys.executable).parent / "flask")
    subprocess.run([flask, "--app", "app", "reset", "--yes"], cwd=ROOT, env=env, check=True, capture_output=True)
    engine = create_engine(db.replace("postgresql://", "postgresql+psycopg://"))
    ports = free_port(), free_port()
    with Listener() as listener:
        with engine.begin() as conn:
            conn.execute(text("UPDATE account SET ipn_url = :u WHERE access_key = :k"), {"u": listener.url, "k": DD_KEY})
        servers = [start_server({**env, "FPS_SANDBOX_FPS_PUBLIC_URL": f"http://127.0.0.1:{port}"}, port,
                                tmp_path / f"server-{port}.log") for port in ports]
        try:
            one, two = (f"http://127.0.0.1:{port}" for port in ports)
            page = browser.new_page()  # the buyer, on the first server
            click_through(page, boto_cbui_link({"url": one}, merchant, fundingAmount="10.00",
                                               callerReferenceFunding="two-f", callerReferenceSender="two-s",
                                               paymentMethod="ABT"))
            page.close()
            ret = dict(parse_qsl(urlsplit(merchant.received[-1]).query))
            assert ret["status"] == "SA", ret  # paid from the Amazon Payments balance
            fps = connect("127.0.0.1", ports[1], DD_KEY, DD_SECRET)  # the merchant's code, on the second
            funded = fps.fund_prepaid(PrepaidInstrumentId=ret["prepaidInstrumentID"], SenderTokenId=ret["fundingTokenID"],
                                      FundingAmount="10.00", CallerReference="two-fund")
            assert funded.FundPrepaidResult.TransactionStatus == "Success"
            assert len(_wait(listener, 1)) == 1
            assert _json(f"{one}/admin/api/snapshots", {"name": "funded"})["name"] == "funded"

            pays = [fps.pay(SenderTokenId=ret["prepaidSenderTokenID"], TransactionAmount="0.50",
                            CallerReference=f"two-pay-{n}") for n in range(3)]
            assert all(p.PayResult.TransactionStatus == "Success" for p in pays)
            acknowledged = pays[-1].ResponseMetadata.RequestId
            assert _logged(one, acknowledged)  # a payment's log entry is written with it: at once, everywhere
            read = fps.get_prepaid_balance(PrepaidInstrumentId=ret["prepaidInstrumentID"])
            assert Decimal(read.GetPrepaidBalanceResult.PrepaidBalance.AvailableBalance.Value) == Decimal("8.50")
            deadline = time.time() + 5  # a read's entry is buffered: written within half a second
            while not _logged(one, read.ResponseMetadata.RequestId) and time.time() < deadline:
                time.sleep(0.1)
            assert _logged(one, read.ResponseMetadata.RequestId)
            assert len(_wait(listener, 4)) == 4

            restored = _json(f"{two}/admin/api/snapshots/funded/restore", {})
            assert restored["name"] == "funded" and restored["rows"] > 0, restored
            assert prepaid_balance(connect("127.0.0.1", ports[0], DD_KEY, DD_SECRET),
                                   ret["prepaidInstrumentID"]) == Decimal("10.00")  # the first server sees it
            again = [fps.pay(SenderTokenId=ret["prepaidSenderTokenID"], TransactionAmount="0.50",
                             CallerReference=f"two-again-{n}") for n in range(2)]
            assert prepaid_balance(fps, ret["prepaidInstrumentID"]) == Decimal("9.00")

            sent = _wait(listener, 6)
            time.sleep(3)  # retries are a second apart: any second delivery would have come by now
            sent = listener.fields()
            ids = Counter(f["transactionId"] for f in sent)
            expected = {funded.FundPrepaidResult.TransactionId, *(p.PayResult.TransactionId for p in pays + again)}
            assert set(ids) == expected and set(ids.values()) == {1}, ids
            with engine.connect() as conn:
                outcomes = conn.execute(text("SELECT outcome, count(*) FROM delivery_attempt GROUP BY outcome")).all()
                books = conn.execute(text("SELECT coalesce(sum(amount_cents), 0) FROM ledger_entry")).scalar_one()
            assert dict(outcomes) == {"delivered": 3} and books == 0  # the funding and the two Pays since
        finally:
            for server in servers:
                crash(server)
            engine.dispose()
