"""Notifications survive a server crash: queued while the listener is down, delivered by the
restarted server's own worker with no request to wake it, signed, and verified through boto."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import create_engine, text

from sandbox.compat.boto2 import connect
from e2e.conftest import e2e_database_url, free_port, wait_for
from e2e.test_story_e2e import DD_KEY, DD_SECRET, boto_cbui_link, click_through
from listener import Listener

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def start_server(env: dict, port: int, log: Path) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    out = open(log, "a")  # noqa: SIM115 - handed to the process
    proc = subprocess.Popen([gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", "app:app"], cwd=ROOT, env=env,
                            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    out.close()
    wait_for(port, proc, log)
    return proc


def crash(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)  # master and workers at once: no clean shutdown
    proc.wait(timeout=10)


def test_notifications_survive_a_crash(tmp_path, merchant, browser):
    db = e2e_database_url(tmp_path, schema="fps_e2e_crash")  # not the shared live server's
    env = {**os.environ, "FPS_SANDBOX_SQLALCHEMY_DATABASE_URI": db, "FPS_SANDBOX_FPS_KEY_DIR": str(tmp_path),
           "FPS_SANDBOX_SECRET_KEY": "e2e", "FPS_SANDBOX_FPS_IPN_RETRY_SECONDS": "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1"}
    flask = str(Path(sys.executable).parent / "flask")
    subprocess.run([flask, "--app", "app", "reset", "--yes"], cwd=ROOT, env=env, check=True, capture_output=True)
    listener_port = free_port()
    listener_url = f"http://127.0.0.1:{listener_port}/ipn"
    engine = create_engine(db.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(text("UPDATE account SET ipn_url = :u WHERE access_key = :k"), {"u": listener_url, "k": DD_KEY})

    port = free_port()
    server = start_server(env, port, tmp_path / "server.log")
    try:
        live = {"url": f"http://127.0.0.1:{port}", "port": port}
        page = browser.new_page()
        click_through(page, boto_cbui_link(live, merchant, fundingAmount="10.00", callerReferenceFunding="ipn-f",
                                           callerReferenceSender="ipn-s", paymentMethod="ABT"))
        page.close()
        ret = dict(parse_qsl(urlsplit(merchant.received[-1]).query))
        fps = connect("127.0.0.1", port, DD_KEY, DD_SECRET)
        fps.fund_prepaid(PrepaidInstrumentId=ret["prepaidInstrumentID"], SenderTokenId=ret["fundingTokenID"],
                         FundingAmount="10.00", CallerReference="ipn-fund")
        paid = fps.pay(SenderTokenId=ret["prepaidSenderTokenID"], TransactionAmount="0.50", CallerReference="ipn-pay")
        time.sleep(2.5)  # the worker tries: nobody listens yet
        with engine.connect() as conn:
            tries = conn.execute(text("SELECT count(*) FROM delivery_attempt")).scalar_one()
        assert tries >= 2
    finally:
        crash(server)

    with Listener(listener_port) as listener:
        server = start_server(env, port, tmp_path / "server.log")  # the same port and database, no request made
        try:
            deadline = time.time() + 20
            while time.time() < deadline and len(listener.fields()) < 2:
                time.sleep(0.2)
            sent = listener.fields()
            assert sorted(f["operation"] for f in sent) == ["FUND_PREPAID", "PAY"]
            pay = next(f for f in sent if f["operation"] == "PAY")
            assert pay["transactionId"] == paid.PayResult.TransactionId
            fps = connect("127.0.0.1", port, DD_KEY, DD_SECRET)
            body = next(r["body"] for r in listener.received if "operation=PAY" in r["body"])
            verified = fps.verify_signature(UrlEndPoint=listener_url, HttpParameters=body)
            assert verified.VerifySignatureResult.VerificationStatus == "Success"
            time.sleep(2)
            assert len(listener.fields()) == 2  # delivered: not sent again
        finally:
            crash(server)
            engine.dispose()
