"""Bad input never hurts: malformed, oversized and hostile requests get an FPS error or a clear
page, never a 500 or a traceback, and never a half-written ledger."""

import random
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest

from conftest import DD_KEY, DD_SECRET, cbui_link, prepaid_params, services_of, signed_params
from sandbox.api.actions import REGISTRY

NASTY = ["", " ", "\x00", "\x1b[31m", "'; DROP TABLE account; --", "<script>alert(1)</script>", "é" * 300,
         "9" * 5000, "-1", "1e309", "NaN", "0x10", "%00", "../../etc/passwd", "\ud800".encode("utf-8", "surrogatepass")
         .decode("utf-8", "replace"), "14" + "Z" * 33, "A" * 65]


def fps_error_or_ok(r):
    assert r.status_code in (200, 400, 403), (r.status_code, r.data[:300])
    root = ET.fromstring(r.data)
    assert root.tag.endswith("Response")  # FPS's error <Response> or an action's <...Response>
    assert b"Traceback" not in r.data and b"InternalError" not in r.data


@pytest.mark.parametrize("action", sorted(REGISTRY))
def test_every_parameter_of_every_action_with_nasty_values(client, funded, action):
    act = REGISTRY[action]
    for name in act.allowed:
        for value in NASTY:
            r = client.post("/", data=signed_params(action, {name: value}, DD_KEY, DD_SECRET))
            fps_error_or_ok(r)


def test_random_junk_requests(client, funded):
    rng = random.Random(7)
    names = ["Action", "AWSAccessKeyId", "Signature", "SignatureVersion", "SignatureMethod", "Timestamp", "Version",
             "Expires", "TransactionAmount.Value", "SenderTokenId", "X" * 200]
    for _ in range(300):
        params = {rng.choice(names): rng.choice(NASTY + ["Pay", DD_KEY, "2", "HmacSHA256", "2008-09-17"])
                  for _ in range(rng.randint(0, 8))}
        r = client.post("/", data=params) if rng.random() < 0.5 else client.get("/?" + "&".join(
            f"{quote(k)}={quote(v)}" for k, v in params.items()) + "&x=1")
        fps_error_or_ok(r)


def test_raw_garbage_query_strings(client):
    for query in ["%", "%%%%", "a=%ZZ", "=&=&=", "Action", "&&&&", "a=" + "%FF" * 100]:
        fps_error_or_ok(client.get("/?" + query))


def test_same_parameter_in_query_string_and_body_with_different_values(client, funded):
    values = signed_params("GetTotalPrepaidLiability", {}, DD_KEY, DD_SECRET)
    r = client.post("/?Version=2010-08-28", data=values)
    assert r.status_code == 400 and b"<Code>InvalidParams</Code>" in r.data and b"Version appears more than once" in r.data


def test_oversized_body_is_an_fps_error(client):
    r = client.post("/", data={"Action": "Pay", "Junk": "x" * (2 * 1024 * 1024)})
    assert r.status_code == 400 and b"<Code>InvalidParams</Code>" in r.data and b"larger than" in r.data


def test_cbui_start_with_nasty_values_never_500(client):
    for name in ["callerReferenceFunding", "fundingAmount", "paymentMethod", "paymentReason", "validityStart",
                 "validityExpiry", "returnURL", "currencyCode", "cobrandingUrl", "addressLine1", "pipelineName"]:
        for value in NASTY:
            r = client.get(cbui_link(prepaid_params(**{name: value})))
            assert r.status_code in (302, 400, 403), (name, value, r.status_code)
            assert b"Traceback" not in r.data


def test_cbui_start_with_garbage_query(client):
    for query in ["", "callerKey=" + DD_KEY, "%", "signature=%ZZ&callerKey=x", "callerKey=" + "A" * 5000]:
        r = client.get("/cobranded-ui/actions/start?" + query)
        assert r.status_code in (400, 403) and b"Traceback" not in r.data


def test_cbui_forms_with_nasty_values(client, buyer):
    started = buyer.start(cbui_link(prepaid_params()))
    url = started.headers["Location"]
    from conftest import csrf

    html = client.get(url).get_data(as_text=True)
    for value in NASTY:
        r = client.post(url, data={"csrf_token": csrf(html), "email": value, "password": value, "submit": "Sign in"})
        expected = (400, b"Bad request") if "\x00" in value else (200, b"Sign in")
        assert (r.status_code, expected[1] in r.data) == (expected[0], True), value
    signed_in = buyer.sign_in(started)
    method_url = signed_in.headers["Location"]
    html = client.get(method_url).get_data(as_text=True)
    for value in NASTY + ["CC:999", "ABT:0:1"]:
        r = client.post(method_url, data={"csrf_token": csrf(html), "choice": value, "submit": "Continue"})
        if "\x00" in value:
            assert r.status_code == 400
            continue
        assert r.status_code == 200 and (b"Not a valid choice" in r.data or b"Choose a payment method." in r.data)


def test_admin_with_nasty_paths_and_filters(client, funded):
    for url in ["/admin/transactions?before=abc", "/admin/transactions?caller=x&operation=<b>",
                "/admin/transactions/%00", "/admin/instruments/" + "A" * 500, "/admin/nowhere"]:
        r = client.get(url)
        assert r.status_code == (400 if "%00" in url else 404 if "nowhere" in url or "AAAA" in url else 200), url
        assert b"Traceback" not in r.data
        assert b"<b>" not in r.data


HUGE = "9" * 25  # no database integer holds it


def test_admin_keys_too_large_for_the_database(client, funded):
    for url in [f"/admin/{page}?before={HUGE}" for page in ("transactions", "instruments", "tokens", "ledger",
                                                             "notifications", "requests", "accounts")] + \
               [f"/admin/transactions?caller={HUGE}&sender={HUGE}", f"/admin/tokens?buyer={HUGE}",
                "/admin/ledger?book=balance:abc", "/admin/ledger?book=prepaid_liability:%D9%A3",
                f"/admin/ledger?book=credit_sales:{HUGE}", "/admin/ledger?journal=%3Cb%3E",
                "/admin/transactions?before=-5", "/admin/ledger?before=0"]:
        r = client.get(url)
        assert r.status_code == 200, url
    for url in [f"/admin/accounts/{HUGE}", f"/admin/notifications/{HUGE}", f"/admin/requests/{HUGE}",
                "/admin/accounts/0", "/admin/requests/-1"]:
        assert client.get(url).status_code == 404, url


def test_a_refused_action_writes_nothing(app, fps, funded):
    from sqlalchemy import func, select

    from sandbox.models import FpsTransaction, LedgerEntry

    def counts():
        with services_of(app).storage.read() as conn:
            return (conn.execute(select(func.count()).select_from(FpsTransaction)).scalar_one(),
                    conn.execute(select(func.count()).select_from(LedgerEntry)).scalar_one())

    before = counts()
    for value in ["10.01", "0.00", "abc", "100000"]:
        fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference=f"r{value}",
                 **{"TransactionAmount.Value": value})
    fps.call("FundPrepaid", SenderTokenId=funded["fundingTokenID"], PrepaidInstrumentId=funded["prepaidInstrumentID"],
             CallerReference="again", **{"FundingAmount.Value": "1.00"})
    assert counts() == before


NASTY = ["", "0", "-1", HUGE, "abc", "%00", "<x>", "'", "\\", "a" * 3000, "%FF%FE", "1.5", "%E2%80%AE", "%25"]
FILTERS = ["q", "before", "caller", "sender", "buyer", "kind", "role", "status", "state", "key", "action", "errors",
           "book", "journal", "instrument", "token", "operation", "price", "purchases", "method", "per_week",
           "schedule", "amount", "full", "limit", "present", "status", "times", "kind"]


def test_every_console_page_with_nasty_path_and_filter_values(app, client, funded):
    """Each GET route of the console, each nasty value in its path and every filter: never a 5xx."""
    import random
    import re

    pick = random.Random(6).choice
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith(("/admin", "/merchant")) and "GET" in r.methods]
    assert len(rules) > 15
    failures = []
    for rule in rules:
        for value in NASTY:
            path = re.sub(r"<[^>]+>", lambda _, v=value: v or "x", rule.rule)
            query = "&".join(f"{name}={pick(NASTY)}" for name in FILTERS)
            for url in (path, f"{path}?{query}"):
                r = client.get(url)
                if r.status_code >= 500 or b"Traceback" in r.data:
                    failures.append((url[:100], r.status_code))
    assert failures == []
