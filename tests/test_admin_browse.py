"""Browsing the console: every list's filters, search and pages find what they should and only that."""

from __future__ import annotations

import re
from html import unescape

import pytest

from conftest import NEWS_KEY, postpaid_params, prepaid_params, services_of
from sandbox.runtime.services import tick


def _amount(prefix: str, value: str) -> dict:
    return {f"{prefix}.Value": value, f"{prefix}.CurrencyCode": "USD"}


def html(client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return r.get_data(as_text=True)


def ids(page: str, kind: str) -> set[str]:
    """The ids a page links to: /admin/<kind>/<id>."""
    return set(re.findall(rf'href="/admin/{kind}/([A-Z0-9]+)"', page))


@pytest.fixture
def world(app, fps, news, buyer, funded):
    """Two callers' worth of rows: Pays, a refund, a denied funding, a tab settled and cancelled."""
    pays = [fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference=f"song-{n}",
                     **_amount("TransactionAmount", "0.50")).find("PayResult/TransactionId") for n in range(3)]
    refund = fps.call("Refund", TransactionId=pays[0], CallerReference="refund-0").find("RefundResult/TransactionId")
    spare = buyer.authorize(prepaid_params("2"))
    denied = fps.call("FundPrepaid", SenderTokenId=spare["fundingTokenID"], PrepaidInstrumentId=spare["prepaidInstrumentID"],
                      CallerReference="denied", **_amount("FundingAmount", "9.75")).find(
        "FundPrepaidResult/TransactionId")
    tab = buyer.authorize(postpaid_params(), email="reader@example.com", method_label="Mastercard",
                          key=NEWS_KEY, secret=__import__("conftest").NEWS_SECRET)
    charge = news.call("Pay", SenderTokenId=tab["creditSenderTokenID"], CallerReference="paper-1",
                       **_amount("TransactionAmount", "2.00")).find("PayResult/TransactionId")
    settle = news.call("SettleDebt", SenderTokenId=tab["settlementTokenID"], CreditInstrumentId=tab["creditInstrumentID"],
                       CallerReference="settle-1", **_amount("SettlementAmount", "2.00")).find(
        "SettleDebtResult/TransactionId")
    assert news.call("CancelToken", TokenId=tab["creditSenderTokenID"]).error_code is None
    tick(services_of(app))
    return {"pays": pays, "refund": refund, "denied": denied, "charge": charge, "settle": settle, "tab": tab,
            "spare": spare, "funded": funded}


def test_transactions_filter_by_operation_status_caller_and_buyer(client, world):
    assert ids(html(client, "/admin/transactions?status=Failure"), "transactions") == {world["denied"]}
    assert ids(html(client, "/admin/transactions?operation=Refund"), "transactions") == {world["refund"]}
    assert ids(html(client, "/admin/transactions?caller=2"), "transactions") == {world["charge"], world["settle"]}
    assert ids(html(client, "/admin/transactions?sender=4"), "transactions") == {world["charge"], world["settle"]}
    assert ids(html(client, "/admin/transactions?operation=Pay&caller=1"), "transactions") == set(world["pays"])
    page = html(client, "/admin/transactions?operation=Bogus&status=%3Cx%3E")  # unknown values: no filter
    assert world["denied"] in page and "&lt;x&gt;" not in page


def test_transactions_search_and_follow_instrument_and_token(client, world):
    r = client.get(f"/admin/transactions?q={world['pays'][1]}")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/admin/transactions/{world['pays'][1]}")
    assert ids(html(client, "/admin/transactions?q=song-2"), "transactions") == {world["pays"][2]}
    assert "No transaction matches" in html(client, "/admin/transactions?q=nothing-like-it")
    funded = world["funded"]
    by_instrument = ids(html(client, f"/admin/transactions?instrument={funded['prepaidInstrumentID']}"), "transactions")
    assert set(world["pays"]) | {world["refund"]} <= by_instrument and world["charge"] not in by_instrument
    by_token = ids(html(client, f"/admin/transactions?token={funded['prepaidSenderTokenID']}"), "transactions")
    assert by_token >= set(world["pays"]) and world["denied"] not in by_token
    assert "No transaction matches" in html(client, "/admin/transactions?token=NOPE")


def test_tokens_filter_and_search(client, world):
    tab = world["tab"]
    inactive = ids(html(client, "/admin/tokens?status=Inactive"), "tokens")
    assert inactive == {tab["creditSenderTokenID"]}
    settlement = ids(html(client, "/admin/tokens?role=Settlement"), "tokens")
    assert settlement == {tab["settlementTokenID"]}
    assert ids(html(client, "/admin/tokens?caller=2"), "tokens") == {tab["creditSenderTokenID"], tab["settlementTokenID"]}
    r = client.get(f"/admin/tokens?q={tab['settlementTokenID']}")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/admin/tokens/{tab['settlementTokenID']}")
    assert ids(html(client, "/admin/tokens?q=settle-1"), "tokens") == {tab["settlementTokenID"]}
    page = html(client, f"/admin/tokens/{tab['creditSenderTokenID']}")
    assert "Cancelled" in page and "TokenCancellation" in page


def test_instruments_filter_and_search(client, world):
    credit = ids(html(client, "/admin/instruments?kind=Credit"), "instruments")
    assert credit == {world["tab"]["creditInstrumentID"]}
    prepaid = ids(html(client, "/admin/instruments?kind=Prepaid&buyer=3"), "instruments")
    assert prepaid == {world["funded"]["prepaidInstrumentID"], world["spare"]["prepaidInstrumentID"]}
    r = client.get(f"/admin/instruments?q={world['spare']['prepaidInstrumentID']}")
    assert r.status_code == 302
    assert "No prepaid instruments" in html(client, "/admin/instruments?q=NOPE")


def test_ledger_filters_by_book_and_journal(client, world):
    page = html(client, f"/admin/ledger?journal={world['settle']}")
    rows = re.findall(r"<tr><td>\d+</td>", page)
    assert 2 <= len(rows) <= 8 and world["charge"] not in page
    assert set(re.findall(r'href="/admin/transactions/([A-Z0-9]+)"', page)) == {world["settle"]}
    fees = html(client, "/admin/ledger?book=fee_revenue")
    paid_fees = set(re.findall(r'href="/admin/transactions/([A-Z0-9]+)"', fees))
    assert world["settle"] in paid_fees and not paid_fees & set(world["pays"])  # a Pay has no fee
    assert "Lines of FPS fee revenue" in fees and "<option value=\"fee_revenue\" selected>" in fees


def test_notifications_search_by_transaction_and_filter_by_caller(client, world):
    page = html(client, f"/admin/notifications?q={world['settle']}")
    assert set(re.findall(r'href="/admin/transactions/([A-Z0-9]+)"', page)) == {world["settle"]}
    news_only = html(client, "/admin/notifications?caller=2")
    assert world["pays"][0] not in news_only and world["charge"] in news_only
    assert "TokenCancellation" in html(client, f"/admin/notifications?q={world['tab']['creditSenderTokenID']}")


def test_requests_filter_by_caller_errors_and_search(client, world, fps):
    fps.call("Pay", SenderTokenId="NOPE", CallerReference="bad", **_amount("TransactionAmount", "0.01"))
    errors = html(client, "/admin/requests?errors=1")
    assert "InvalidTokenId_Sender" in errors and "PayResponse" not in errors
    assert len(re.findall(r'href="/admin/requests/\d+"', errors)) == 1
    news_calls = html(client, f"/admin/requests?key={NEWS_KEY}")
    assert "AKIAIOSFODNN7EXAMPLE</code>" not in news_calls and "SettleDebt" in news_calls
    about = html(client, f"/admin/requests?q={world['settle']}")
    assert len(re.findall(r'href="/admin/requests/\d+"', about)) == 1
    pk = re.search(r'href="/admin/requests/(\d+)"', about).group(1)
    detail = html(client, f"/admin/requests/{pk}")
    request_id = re.search(r"<RequestId>([^<]+)</RequestId>", unescape(detail), re.I).group(1)
    assert request_id.endswith(":0")  # as FPS answers a success; the log keeps it without the suffix
    r = client.get(f"/admin/requests?q={request_id}")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/admin/requests/{pk}")


def test_accounts_filter_and_search(client):
    callers = html(client, "/admin/accounts?role=callers")
    assert "DigitalDownload" in callers and "John Smith" not in callers
    buyers = html(client, "/admin/accounts?role=buyers")
    assert "John Smith" in buyers and "The Daily Byte" not in buyers
    assert "Rita Reader" in html(client, "/admin/accounts?q=READER@") and "No account matches" in html(
        client, "/admin/accounts?q=100%25_")
    assert "The Daily Byte" in html(client, f"/admin/accounts?q={NEWS_KEY}")


def test_ledger_pages_by_key(client, fps, world):
    for n in range(30):
        fps.call("Pay", SenderTokenId=world["funded"]["prepaidSenderTokenID"], CallerReference=f"more-{n}",
                 **_amount("TransactionAmount", "0.01"))
    first = html(client, "/admin/ledger")
    shown = [int(n) for n in re.findall(r"<tr><td>(\d+)</td>", first)]
    assert len(shown) == 50 and shown == sorted(shown, reverse=True) and "Older →" in first
    older = html(client, f"/admin/ledger?before={shown[-1]}")
    rest = [int(n) for n in re.findall(r"<tr><td>(\d+)</td>", older)]
    assert rest and max(rest) == shown[-1] - 1 and "← Newest" in older


def test_codes_are_explained_where_they_appear_and_can_be_armed(client, fps):
    from sandbox.domain import errors

    fps.call("Pay", SenderTokenId="NOPE", CallerReference="bad", **_amount("TransactionAmount", "0.01"))
    listing = html(client, "/admin/requests?errors=1")
    assert ('<a class="code" href="/admin/codes#InvalidTokenId_Sender" title="The sender token … is invalid, '
            'cancelled or not active. (not retriable)">InvalidTokenId_Sender</a>') in listing
    catalogue = html(client, "/admin/codes")
    for code in errors.REGISTRY:
        assert f'<tr id="{code}">' in catalogue, code
    assert "amount ending in .70-.79" in catalogue and 'href="/admin/faults?error_code=Throttling"' in catalogue
    armed = html(client, "/admin/faults?error_code=Throttling")
    assert '<option selected value="Throttling">' in armed or '<option value="Throttling" selected>' in armed
    unknown = html(client, "/admin/faults?error_code=%3Cx%3E").split('id="error_code"')[1].split("</select>")[0]
    assert unknown.count("selected") == 1 and ('<option selected value="">' in unknown
                                                 or '<option value="" selected>' in unknown)
