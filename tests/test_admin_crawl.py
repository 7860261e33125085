"""Every console page, reached by following links from the dashboard: none fails, and hostile
strings planted in every attacker-controlled field (references, descriptions, reasons, request
parameters, access keys, the Host header) are shown escaped, never as markup."""

from __future__ import annotations

import re
from collections import deque
from html import unescape

import pytest

from conftest import DD_KEY, NEWS_KEY, NEWS_SECRET, postpaid_params, prepaid_params, services_of
from sandbox.runtime.services import tick

SCRIPT = "<script>window.pwned=1</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE = SCRIPT + IMG
LINK = re.compile(r'href="(/admin/[^"#]*)"')


def _amount(prefix: str, value: str) -> dict:
    return {f"{prefix}.Value": value, f"{prefix}.CurrencyCode": "USD"}


@pytest.fixture
def hostile_world(app, client, fps, buyer):
    """A sandbox whose every free-text field an outsider controls holds markup."""
    ret = buyer.authorize(prepaid_params("x", paymentReason=HOSTILE, callerReferenceSender="s" + HOSTILE))
    r = fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
                 CallerReference="f" + HOSTILE, CallerDescription=HOSTILE, **_amount("FundingAmount", "10.00"))
    assert r.error_code is None, r.text
    r = fps.call("Pay", SenderTokenId=ret["prepaidSenderTokenID"], CallerReference="p" + HOSTILE,
                 CallerDescription=HOSTILE, SenderDescription=HOSTILE, **_amount("TransactionAmount", "1.00"))
    tid = r.find("PayResult/TransactionId")
    assert tid, r.text
    assert fps.call("Refund", TransactionId=tid, CallerReference="r" + HOSTILE, CallerDescription=HOSTILE,
                    **_amount("RefundAmount", "0.50")).error_code is None
    tab = buyer.authorize(postpaid_params("x", paymentReason=HOSTILE), email="reader@example.com",
                          method_label="Mastercard", key=NEWS_KEY, secret=NEWS_SECRET)
    from conftest import SignedCaller

    news = SignedCaller(client, NEWS_KEY, NEWS_SECRET)
    news.call("Pay", SenderTokenId=tab["creditSenderTokenID"], CallerReference="n" + HOSTILE,
              **_amount("TransactionAmount", "2.00"))
    assert news.call("CancelToken", TokenId=tab["creditSenderTokenID"], ReasonText=HOSTILE).error_code is None
    # requests the sandbox refuses, logged as they came
    client.post("/", data={"Action": HOSTILE, "AWSAccessKeyId": HOSTILE, HOSTILE: HOSTILE, "Signature": HOSTILE})
    client.post("/", data={"Action": "Pay", "AWSAccessKeyId": DD_KEY, "Signature": "x", "SignatureVersion": "2",
                           "SignatureMethod": "HmacSHA256", "Timestamp": HOSTILE, "CallerReference": HOSTILE},
                headers={"Host": "evil.example<script>"})
    client.get("/cobranded-ui/actions/start", query_string={"callerKey": HOSTILE, "returnURL": HOSTILE})
    tick(services_of(app))
    return {"transaction": tid}


def crawl(client, start="/admin/") -> dict[str, str]:
    """Every /admin page reachable by links from `start` (pages of long lists: the first two)."""
    seen: dict[str, str] = {}
    todo = deque([start])
    while todo:
        url = todo.popleft()
        if url in seen or "reset" in url:
            continue
        response = client.get(url, follow_redirects=True)  # a search that finds one id opens its page
        assert response.status_code == 200, (url, response.status_code)
        body = response.get_data(as_text=True)
        seen[url] = body
        if response.mimetype != "text/html":
            continue
        for link in LINK.findall(body):
            link = unescape(link)
            if link.count("before=") and sum("before=" in u for u in seen) > 20:
                continue
            todo.append(link)
    return seen


def test_every_console_page_opens_and_shows_hostile_strings_escaped(client, hostile_world):
    pages = crawl(client)
    html_pages = {u: b for u, b in pages.items() if not u.endswith((".csv", ".json"))}
    kinds = {re.sub(r"/[A-Z0-9]{20,}|/\d+", "/<id>", u.split("?")[0]) for u in html_pages}
    for page in ("/admin/", "/admin/accounts", "/admin/accounts/<id>", "/admin/transactions",
                 "/admin/transactions/<id>", "/admin/instruments", "/admin/instruments/<id>", "/admin/tokens",
                 "/admin/tokens/<id>", "/admin/ledger", "/admin/ledger/check", "/admin/notifications",
                 "/admin/notifications/<id>", "/admin/requests", "/admin/requests/<id>", "/admin/faults",
                 "/admin/playground", "/admin/ipn-settings", "/admin/codes"):
        assert page in kinds, f"{page} is not linked from anywhere ({sorted(kinds)})"
    shown = 0
    for url, body in html_pages.items():
        assert "<script>window.pwned" not in body, url
        assert "<img src=x" not in body, url
        shown += body.count("&lt;script&gt;window.pwned=1&lt;/script&gt;")
    assert shown > 20  # the hostile strings are on the pages, escaped


def test_detail_pages_link_their_neighbours(client, fps, funded):
    """transaction ↔ tokens ↔ instrument ↔ ledger lines ↔ API requests ↔ notifications ↔ accounts"""
    tid = fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="n1",
                   **_amount("TransactionAmount", "0.50")).find("PayResult/TransactionId")
    instrument, token = funded["prepaidInstrumentID"], funded["prepaidSenderTokenID"]

    def links(url: str) -> set[str]:
        r = client.get(url)
        assert r.status_code == 200, url
        return {unescape(u) for u in LINK.findall(r.get_data(as_text=True))}

    txn = links(f"/admin/transactions/{tid}")
    assert {f"/admin/instruments/{instrument}", f"/admin/tokens/{token}", "/admin/accounts/1"} <= txn
    assert any(u.startswith("/admin/requests/") for u in txn) and any(u.startswith("/admin/notifications/") for u in txn)
    assert any(u.startswith("/admin/ledger?book=") for u in txn)
    tok = links(f"/admin/tokens/{token}")
    assert f"/admin/instruments/{instrument}" in tok and f"/admin/transactions/{tid}" in tok
    assert f"/admin/tokens/{funded['fundingTokenID']}" in tok and f"/admin/transactions?token={token}" in tok
    inst = links(f"/admin/instruments/{instrument}")
    assert f"/admin/tokens/{token}" in inst and f"/admin/transactions/{tid}" in inst
    book = next(u for u in inst if u.startswith("/admin/ledger?book=prepaid:"))
    assert f"/admin/transactions/{tid}" in links(book)
    assert any(f"/admin/transactions/{tid}" in links(u) for u in txn if u.startswith("/admin/requests/"))
    note = next(u for u in txn if u.startswith("/admin/notifications/"))
    assert f"/admin/transactions/{tid}" in links(note)
    john = links("/admin/accounts/3")
    assert any(u.startswith(f"/admin/instruments/{instrument}") for u in john) and "/admin/transactions?sender=3" in john
