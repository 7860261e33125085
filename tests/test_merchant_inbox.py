"""The merchant inbox: the return page verifies a real redirect, the IPN catcher keeps and verifies what it is
sent and answers the status its URL asks for; the demo callers notify it by default."""

import json
import re
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import select

from conftest import cbui_link, csrf, prepaid_params, services_of
from sandbox.domain import merchant_inbox
from sandbox.models import Account, ApiCall, CaughtNotification, Notification
from sandbox.runtime import ipn

RETURN = "http://localhost/merchant/return?order=42"


def _walk(buyer, **params):
    """Click through SetupPrepaid with the merchant inbox as returnURL; answers the redirect's path and query."""
    started = buyer.start(cbui_link(prepaid_params(returnURL=RETURN, **params)))
    if started.status_code == 302 and "/merchant/return" in started.headers["Location"]:
        return started.headers["Location"]  # refused before sign-in (CE)
    done = buyer.confirm(buyer.choose(buyer.sign_in(started), "Amazon Payments balance"))
    location = done.headers["Location"]
    assert location.startswith("http://localhost/merchant/return?"), location
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"


def test_the_return_page_verifies_a_real_redirect_and_links_what_was_installed(app, client, buyer):
    page = client.get(_walk(buyer)).get_data(as_text=True)
    assert "Signature verified" in page and "status=SA" in page and "Amazon Payments balance (ABT)" in page
    with services_of(app).storage.read() as conn:
        asked = conn.execute(select(ApiCall.face, ApiCall.action, ApiCall.verdict)
                             .where(ApiCall.action == "VerifySignature")).all()
    assert [tuple(a) for a in asked] == [("merchant", "VerifySignature", "unsigned")]
    assert page.count('href="/admin/instruments/') == 1 and page.count('href="/admin/tokens/') == 2
    assert "<code>order</code>" in page  # the returnURL's own parameter is shown too


def test_the_return_page_catches_a_changed_parameter(client, buyer):
    url = _walk(buyer).replace("status=SA", "status=SC")
    page = client.get(url).get_data(as_text=True)
    assert "Signature NOT valid" in page and "Signature verified" not in page


def test_the_return_page_explains_a_caller_exception_and_an_empty_visit(client, buyer):
    location = _walk(buyer, callerReferenceFunding="x" * 200)
    page = client.get(location[location.index("/merchant"):]).get_data(as_text=True)
    assert "status=CE" in page and "Caller exception" in page and "errorMessage" in page
    assert "Signature verified" in page
    assert "Nothing came with this visit" in client.get("/merchant/return").get_data(as_text=True)
    unsigned = client.get("/merchant/return?status=SA&tokenID=abc").get_data(as_text=True)
    assert "Not signed" in unsigned


def _notification_body(app, url: str) -> dict:
    """A real notification's signed fields, as the sandbox would post them to `url`."""
    svc = services_of(app)
    with svc.storage.read() as conn:
        n = conn.execute(select(Notification.__table__).order_by(Notification.id.desc())).first()
        return ipn.signed_fields(svc, conn, n, url)


def _caught(app, name):
    with services_of(app).storage.read() as conn:
        return merchant_inbox.received(conn, name)


def test_the_catcher_keeps_and_verifies_a_notification(app, client, funded):
    fields = _notification_body(app, "http://localhost/merchant/ipn/shop1")
    r = client.post("/merchant/ipn/shop1", data=fields)
    assert r.status_code == 200 and r.get_data(as_text=True).startswith("caught #")
    tampered = {**fields, "transactionAmount": "USD 999.00"}
    assert client.post("/merchant/ipn/shop1", data=tampered).status_code == 200
    got = _caught(app, "shop1")
    assert [(c.verified, c.answered) for c in got] == [(False, 200), (True, 200)]
    assert got[1].params["notificationType"] == "TransactionStatus"
    page = client.get("/merchant/ipn/shop1").get_data(as_text=True)
    assert "NOT verified" in page and page.count(">verified<") == 1 and "USD 999.00" in page
    assert _caught(app, "other") == []


def test_the_catcher_answers_the_status_its_url_asks_for_then_200(app, client, funded):
    fields = _notification_body(app, "http://localhost/merchant/ipn/flaky")
    answers = [client.post("/merchant/ipn/flaky?status=503&times=2", data=fields).status_code for _ in range(3)]
    assert answers == [503, 503, 200]
    assert [c.answered for c in reversed(_caught(app, "flaky"))] == [503, 503, 200]
    always = [client.post("/merchant/ipn/down?status=500", data=fields).status_code for _ in range(2)]
    assert always == [500, 500]


@pytest.mark.parametrize("query", ["status=99", "status=abc", "status=600", "status=503&times=0",
                                   "status=503&times=x", "status=%EF%BC%95%EF%BC%90%EF%BC%93"])
def test_a_malformed_catcher_url_is_a_clear_400(client, query):
    r = client.post(f"/merchant/ipn/x?{query}", data={"a": "b"})
    assert r.status_code == 400 and "This catcher's URL is wrong" in r.get_data(as_text=True)


@pytest.mark.parametrize("name, status", [("a" * 65, 404), ("bad name", 404), ("<script>", 404),
                                          ("x%00y", 400)])  # a NUL anywhere: refused before routing
def test_a_hostile_catcher_name_is_refused(app, client, name, status):
    assert client.post(f"/merchant/ipn/{name}", data={"a": "b"}).status_code == status
    assert client.get(f"/merchant/ipn/{name}").status_code == status
    with services_of(app).storage.read() as conn:
        assert merchant_inbox.names(conn) == []


def test_the_catcher_keeps_unsigned_or_huge_bodies_without_harm(app, client):
    assert client.post("/merchant/ipn/junk", data={"x" * 10: "y" * 30000}).status_code == 200
    assert client.post("/merchant/ipn/junk", data=b"\xff\xfe", content_type="text/plain").status_code == 200
    got = _caught(app, "junk")
    assert len(got) == 2 and not any(c.verified for c in got)
    assert "_cut" in got[1].params  # kept, cut to its limit
    assert client.get("/merchant/ipn/junk").status_code == 200


def test_forgetting_a_catcher_needs_the_form(app, client):
    client.post("/merchant/ipn/old", data={"a": "b"})
    assert client.post("/merchant/ipn/old/forget").status_code == 400
    page = client.get("/merchant/ipn/old").get_data(as_text=True)
    r = client.post("/merchant/ipn/old/forget", data={"csrf_token": csrf(page)})
    assert r.status_code == 302 and _caught(app, "old") == []
    assert ">old</a> (" not in client.get("/merchant/").get_data(as_text=True)


def test_the_inbox_lists_its_catchers(client):
    client.post("/merchant/ipn/first", data={"a": "b"})
    page = client.get("/merchant/").get_data(as_text=True)
    assert ">first</a> (1)" in page and "http://localhost/merchant/return" in page


def test_the_demo_callers_notify_the_merchant_inbox_by_default(app, client, funded):
    svc = services_of(app)
    with svc.storage.read() as conn:
        urls = dict(conn.execute(select(Account.name, Account.ipn_url).where(Account.access_key.is_not(None))).all())
        queued = conn.execute(select(Notification.state)).scalars().all()
    assert urls == {"DigitalDownload": "/merchant/ipn/DigitalDownload", "The Daily Byte": "/merchant/ipn/TheDailyByte"}
    assert queued == ["queued"]  # not "no_url": it has somewhere to go
    svc.public_url = "http://127.0.0.1:5999"
    assert ipn.resolve(svc, "/merchant/ipn/DigitalDownload") == "http://127.0.0.1:5999/merchant/ipn/DigitalDownload"
    assert ipn.resolve(svc, "http://elsewhere/x") == "http://elsewhere/x"


@pytest.mark.parametrize("url, ok", [("/merchant/ipn/mine", True), ("//evil.example/x", False),
                                     ("/merchant/ipn/a b", False), ("http://127.0.0.1:8000/ipn", True)])
def test_the_settings_page_takes_a_path_on_this_sandbox(app, client, url, ok):
    page = client.get("/admin/ipn-settings").get_data(as_text=True)
    token = re.search(r'name="c1-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post("/admin/ipn-settings", data={"c1-csrf_token": token, "caller": "1", "c1-url": url,
                                                  "c1-delay_seconds": "0", "c1-fail_first": "0", "c1-submit": "Save"},
                    follow_redirects=True)
    with services_of(app).storage.read() as conn:
        saved = conn.execute(select(Account.ipn_url).where(Account.id == 1)).scalar()
    assert (saved == url) is ok, r.get_data(as_text=True)[-800:]


def test_caught_params_are_json_in_the_table(app, client):
    client.post("/merchant/ipn/j?" + urlencode({"status": "200"}), data={"k": "v"})
    with services_of(app).storage.read() as conn:
        row = conn.execute(select(CaughtNotification.params)).scalar()
    assert json.loads(row) == {"k": "v"}
