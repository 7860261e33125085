"""The hand-written ceiling that bench/ratio_bench.py measures the sandbox against.

A signed Pay done the fastest honest way, as a Flask app under the same gunicorn: the same
Signature Version 2 check as the sandbox (sandbox/signature.py), then one unit of work through the
sandbox's own Storage (SQLite: WAL, BEGIN IMMEDIATE under the file lock; PostgreSQL: the balance row
locked with SELECT ... FOR UPDATE; either way a connection the worker's thread keeps): read the balance,
refuse an overspend, one UPDATE, one INSERT (CallerReference unique), commit. `GetBalance` is the
hand-written signed read: the signature checked, then the balance read by one SELECT (no transaction, as
the sandbox's reads) and answered. Any other signed action is the bare signed endpoint: the signature is
checked and a constant answer sent, no database.

Configured by CEILING_DATABASE_URL (and CEILING_LOCK for SQLite's lock file).
"""

from __future__ import annotations

import hmac
import os
import sys
import uuid
from decimal import Decimal
from pathlib import Path

from flask import Flask, Response, request
from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, create_engine, select, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sandbox.runtime.storage import Storage, keep_thread_connection  # noqa: E402
from sandbox.signature import hmac_sign, string_to_sign_v2  # noqa: E402

KEY, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
FUNDED_CENTS = 1_000_000
NS = "http://fps.amazonaws.com/doc/2008-09-17/"

metadata = MetaData()
balance = Table("ceiling_balance", metadata, Column("id", Integer, primary_key=True),
                Column("cents", BigInteger, nullable=False))
payment = Table("ceiling_payment", metadata, Column("id", Integer, primary_key=True),
                Column("caller_reference", String(128), unique=True, nullable=False),
                Column("amount_cents", BigInteger, nullable=False))

engine = create_engine(os.environ.get("CEILING_DATABASE_URL", "sqlite:///ceiling.sqlite"))
storage = Storage(engine, os.environ.get("CEILING_LOCK"))
keep_thread_connection()  # gunicorn imports this in each worker's one thread: a connection kept, as the sandbox's
_BALANCE = select(balance.c.cents).where(balance.c.id == 1)
_LOCKED_BALANCE = _BALANCE.with_for_update()
_SPEND = update(balance).where(balance.c.id == 1)
_RECORD = payment.insert()


def reset() -> None:
    """Fresh tables with one funded balance (run once, before gunicorn starts)."""
    metadata.drop_all(engine)
    metadata.create_all(engine)
    with storage.write() as conn:
        conn.execute(balance.insert().values(id=1, cents=FUNDED_CENTS))


def spent_cents() -> int:
    with storage.read() as conn:
        return FUNDED_CENTS - conn.execute(select(balance.c.cents).where(balance.c.id == 1)).scalar_one()


app = Flask(__name__)


def _xml(body: str, status: int = 200) -> Response:
    return Response(f'<?xml version="1.0"?>\n{body}', status=status, mimetype="text/xml")


@app.post("/")
def endpoint():
    params = request.form.to_dict()
    expected = hmac_sign(SECRET, string_to_sign_v2("POST", request.host.lower(), "/", params))
    if params.get("AWSAccessKeyId") != KEY or not hmac.compare_digest(expected, params.get("Signature", "")):
        return _xml("<Response><Errors><Error><Code>SignatureDoesNotMatch</Code></Error></Errors></Response>", 403)
    request_id = uuid.uuid4()
    if params.get("Action") == "GetBalance":  # the hand-written signed read
        with storage.read(snapshot=False) as conn:
            cents = conn.execute(_BALANCE).scalar_one()
        return _xml(f'<GetBalanceResponse xmlns="{NS}"><GetBalanceResult><Value>{Decimal(cents) / 100}</Value>'
                    f"</GetBalanceResult><ResponseMetadata><RequestId>{request_id}:0</RequestId></ResponseMetadata>"
                    f"</GetBalanceResponse>")
    if params.get("Action") != "Pay":  # the bare signed endpoint
        return _xml(f'<{params.get("Action")}Response xmlns="{NS}"><ResponseMetadata><RequestId>{request_id}:0'
                    f'</RequestId></ResponseMetadata></{params.get("Action")}Response>')
    cents = int(Decimal(params["TransactionAmount.Value"]) * 100)
    with storage.write() as conn:
        if conn.execute(_LOCKED_BALANCE).scalar_one() < cents:
            return _xml("<Response><Errors><Error><Code>InsufficientBalance</Code></Error></Errors></Response>", 400)
        conn.execute(_SPEND.values(cents=balance.c.cents - cents))
        conn.execute(_RECORD.values(caller_reference=params["CallerReference"], amount_cents=cents))
    transaction_id = uuid.uuid4().hex[:35].upper()
    return _xml(f'<PayResponse xmlns="{NS}"><PayResult><TransactionId>{transaction_id}</TransactionId>'
                f"<TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>"
                f"{request_id}:0</RequestId></ResponseMetadata></PayResponse>")


if __name__ == "__main__":
    reset()
