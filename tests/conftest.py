"""Shared fixtures: an app on a fresh database, signed API calls, a buyer clicking through the
Co-Branded pages, and a books check after every test that touched the database.

Set TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test) to run on PostgreSQL.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from sqlalchemy import delete

from sandbox import create_app
from sandbox.domain.books import check_books, quick_check
from sandbox.models import Snapshot
from sandbox.runtime import classroom
from sandbox.runtime.services import services
from sandbox.runtime.storage import keep_thread_connection
from sandbox.signature import hmac_sign, string_to_sign_v2
from sandbox.runtime.world import load_fixture, reset

ROOT = Path(__file__).resolve().parent.parent
keep_thread_connection()  # the tests' thread serves unit after unit as a gunicorn worker's does (runtime/storage.py)
NS = "{http://fps.amazonaws.com/doc/2008-09-17/}"
DD_KEY, DD_SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
NEWS_KEY, NEWS_SECRET = "AKIAI44QH8DHBEXAMPLE", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("keys")


def database_url(tmp_path: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'sandbox.sqlite'}"


@pytest.fixture
def app_config(tmp_path, key_dir):
    return {
        "TESTING": True,
        "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": True,
        "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
        "FPS_KEY_DIR": str(key_dir),
        "FPS_PENDING_SECONDS": 0,  # card and bank movements complete at once unless a test says otherwise
        "FPS_BACKGROUND_WORKER": False,  # tests move the sandbox clock and catch up themselves
    }


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    with services_of(app).storage.write() as conn:
        reset(conn, load_fixture(ROOT / "fixtures" / "demo.json"), datetime(2026, 1, 1))
        conn.execute(delete(Snapshot))  # kept by a reset; on PostgreSQL, what an earlier test saved
    classroom.delete_all(app.extensions["fps_sandboxes"])
    yield app
    assert_books_balance(app)
    classroom.delete_all(app.extensions["fps_sandboxes"])
    dispose(app)


def assert_books_balance(app) -> None:
    """The full check (every journal and fee) and the running totals agree: the books balance."""
    with services_of(app).storage.read() as conn:
        full, quick = check_books(conn), quick_check(conn)
    assert full.ok, full.problems
    assert quick.ok and quick.lines == full.lines, quick.problems


def dispose(app) -> None:
    """Close an app's database connections (PostgreSQL warns about any left open)."""
    from sandbox.extensions import db

    with app.app_context():
        db.engine.dispose()


def in_forked_child(report) -> str:
    """Fork; the child writes what `report()` answers (a short str) and leaves at once; answers it."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.write(write, report().encode())
        finally:
            os._exit(0)
    os.close(write)
    try:
        return os.read(read, 1000).decode()
    finally:
        os.close(read)
        os.waitpid(pid, 0)


def services_of(app):
    with app.app_context():
        return services()


@pytest.fixture
def client(app):
    return app.test_client()


@dataclass
class FpsResponse:
    """An API answer: HTTP status, parsed XML, and helpers for results and errors."""

    status: int
    text: str

    @property
    def xml(self) -> ET.Element:
        return ET.fromstring(self.text)

    def find(self, path: str) -> str | None:
        """Text at a path below the root, written without namespaces ("PayResult/TransactionId")."""
        node = self.xml
        for part in path.split("/"):
            found = [c for c in node if c.tag.split("}")[-1] == part]
            if not found:
                return None
            node = found[0]
        return node.text

    @property
    def error_code(self) -> str | None:
        return self.find("Errors/Error/Code") if self.xml.tag == "Response" else None

    @property
    def error_message(self) -> str | None:
        return self.find("Errors/Error/Message") if self.xml.tag == "Response" else None


def timestamp(at: datetime | None = None) -> str:
    at = at or datetime.now(timezone.utc)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def signed_params(action: str, params: dict, key: str, secret: str, *, method: str = "POST",
                  host: str = "localhost", version: str = "2008-09-17", algorithm: str = "HmacSHA256") -> dict:
    values = {"Action": action, "AWSAccessKeyId": key, "Version": version, "Timestamp": timestamp(),
              "SignatureVersion": "2", "SignatureMethod": algorithm, **params}
    values = {k: str(v) for k, v in values.items() if v is not None}
    values["Signature"] = hmac_sign(secret, string_to_sign_v2(method, host, "/", values), algorithm)
    return values


class SignedCaller:
    """Calls the Query API through the test client, signed like a real client."""

    def __init__(self, client, key: str, secret: str) -> None:
        self.client, self.key, self.secret = client, key, secret

    def call(self, action: str, **params) -> FpsResponse:
        values = signed_params(action, params, self.key, self.secret)
        r = self.client.post("/", data=values)
        return FpsResponse(r.status_code, r.get_data(as_text=True))

    def raw(self, values: dict, method: str = "POST") -> FpsResponse:
        if method == "GET":
            r = self.client.get("/?" + urlencode(values))
        else:
            r = self.client.post("/", data=values)
        return FpsResponse(r.status_code, r.get_data(as_text=True))


@pytest.fixture
def fps(client):
    """DigitalDownload, signed."""
    return SignedCaller(client, DD_KEY, DD_SECRET)


@pytest.fixture
def news(client):
    """The Daily Byte, the other caller, signed."""
    return SignedCaller(client, NEWS_KEY, NEWS_SECRET)


def cbui_link(params: dict, key: str = DD_KEY, secret: str = DD_SECRET, host: str = "localhost",
              algorithm: str = "HmacSHA256") -> str:
    values = {"callerKey": key, "pipelineName": "SetupPrepaid", "version": "2009-01-09",
              "signatureVersion": "2", "signatureMethod": algorithm, **params}
    values = {k: str(v) for k, v in values.items() if v is not None}
    values["signature"] = hmac_sign(
        secret, string_to_sign_v2("GET", host, "/cobranded-ui/actions/start", values, exclude="signature"), algorithm)
    return "/cobranded-ui/actions/start?" + urlencode(values)


def prepaid_params(n: str = "1", amount: str = "10.00", **extra) -> dict:
    return {"callerReferenceFunding": f"fund-{n}", "callerReferenceSender": f"sender-{n}",
            "fundingAmount": amount, "paymentMethod": "ABT,CC,ACH",
            "returnURL": "https://merchant.example.com/fps/return?order=42", **extra}


def postpaid_params(n: str = "1", credit: str = "20.00", total: str = "100.00", **extra) -> dict:
    return {"pipelineName": "SetupPostpaid", "callerReferenceSender": f"reader-{n}",
            "callerReferenceSettlement": f"settle-{n}", "creditLimit": credit, "globalAmountLimit": total,
            "paymentMethod": "CC", "returnURL": "https://merchant.example.com/fps/return?order=42", **extra}


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf(html: str) -> str:
    return CSRF_RE.search(html).group(1)


def returned(response) -> dict:
    """The query parameters of a redirect to the caller's returnURL."""
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    assert location.startswith("https://merchant.example.com/fps/return?"), location
    return dict(parse_qsl(urlsplit(location).query, keep_blank_values=True))


class Buyer:
    """Clicks through the Co-Branded pages with the test client."""

    def __init__(self, client) -> None:
        self.client = client

    def start(self, link: str):
        return self.client.get(link)

    def sign_in(self, start_response, email="john@example.com", password="sandbox"):
        page = self.client.get(start_response.headers["Location"])
        return self.client.post(start_response.headers["Location"], data={
            "csrf_token": csrf(page.get_data(as_text=True)), "email": email, "password": password,
            "submit": "Sign in"})

    def choose(self, signed_in_response, method_label: str):
        url = signed_in_response.headers["Location"]
        html = self.client.get(url).get_data(as_text=True)
        value = re.search(r'value="([A-Z]+:\d+)"[^>]*>\s*<span>' + re.escape(method_label), html)
        return self.client.post(url, data={"csrf_token": csrf(html), "choice": value.group(1), "submit": "Continue"})

    def confirm(self, chosen_response):
        url = chosen_response.headers["Location"]
        html = self.client.get(url).get_data(as_text=True)
        return self.client.post(url, data={"csrf_token": csrf(html), "confirm": "Confirm"})

    def authorize(self, params: dict, email="john@example.com", method_label="Amazon Payments balance", **link) -> dict:
        """The whole walk; answers the return-URL parameters."""
        started = self.start(cbui_link(params, **link))
        signed_in = self.sign_in(started, email)
        chosen = self.choose(signed_in, method_label)
        return returned(self.confirm(chosen))


def concurrent_pays(app, key: str, secret: str, token_id: str, value: str, threads: int, each: int) -> list[str]:
    """`threads` threads, each sending `each` Pays of `value` at once; answers every status or error code."""
    import threading

    outcomes, lock = [], threading.Lock()

    def worker(n):
        caller = SignedCaller(app.test_client(), key, secret)
        for i in range(each):
            r = caller.call("Pay", SenderTokenId=token_id, CallerReference=f"t{n}-{i}",
                            **{"TransactionAmount.Value": value, "TransactionAmount.CurrencyCode": "USD"})
            with lock:
                outcomes.append(r.find("PayResult/TransactionStatus") or r.error_code)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return outcomes


@pytest.fixture
def buyer(client):
    return Buyer(client)


@pytest.fixture
def tab(buyer):
    """Rita Reader's credit instrument at The Daily Byte: $20.00 limit, $100.00 total, settled by card."""
    return buyer.authorize(postpaid_params(), email="reader@example.com", method_label="Mastercard",
                           key=NEWS_KEY, secret=NEWS_SECRET)


@pytest.fixture
def funded(fps, buyer):
    """John's $10.00 prepaid instrument at DigitalDownload, funded by ABT."""
    ret = buyer.authorize(prepaid_params())
    r = fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
                 **{"FundingAmount.Value": "10.00", "FundingAmount.CurrencyCode": "USD"}, CallerReference="fund-call-1")
    assert r.find("FundPrepaidResult/TransactionStatus") == "Success", r.text
    return ret
