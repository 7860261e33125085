"""The first admin console: balances, instruments, tokens, gross / fee / net, ledger lines,
escaping, and reset as a CSRF-protected POST."""

from sqlalchemy import func, select

from conftest import csrf, prepaid_params, services_of
from sandbox.models import Instrument


def text(client, url):
    r = client.get(url)
    assert r.status_code == 200, url
    return r.get_data(as_text=True)


def _card(html: str, caller: str) -> str:
    start = html.index(f">{caller}</a> (caller)")
    return html[start:html.index('<div class="card">', start)]


def test_dashboard_shows_each_callers_figures_and_the_books(client, funded):
    html = text(client, "/admin/")
    assert "SANDBOX — no real money" in html and "Balanced" in html
    card = _card(html, "DigitalDownload")
    assert '<div class="stat">$9.70</div>' in card  # the recipient's net after the funding
    for fact in ("Prepaid liability</dt><dd>$10.00", "Fees paid</dt><dd><strong>$0.30", "Outstanding debt</dt><dd>$0.00",
                 "Pays</dt><dd><strong>0</strong> for $0.00", "1 funding / settlement: $10.00"):
        assert fact in card, fact
    accounts = text(client, "/admin/accounts")
    assert "AKIAIOSFODNN7EXAMPLE" in accounts and "$90.00" in accounts  # John after funding


def test_dashboard_teaches_aggregation(client, fps, funded):
    for n in range(40):
        fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference=f"song{n}",
                 **{"TransactionAmount.Value": "0.25"})
    card = _card(text(client, "/admin/"), "DigitalDownload")
    assert "Pays</dt><dd><strong>40</strong> for $10.00" in card
    assert "Fees paid</dt><dd><strong>$0.30</strong>" in card and "0.75¢ per Pay" in card
    assert "Prepaid liability</dt><dd>$0.00" in card


def test_transactions_show_gross_fee_net(client, fps, funded):
    html = text(client, "/admin/transactions")
    row = html[html.index("FundPrepaid</td>"):]
    assert "$10.00" in row[:400] and "$0.30" in row[:400] and "$9.70" in row[:400]
    assert "FundPrepaid" in text(client, "/admin/transactions?operation=FundPrepaid")
    assert "No transaction matches" in text(client, "/admin/transactions?operation=Pay")


def test_transaction_page_lists_its_ledger_lines(client, fps, funded):
    html = text(client, "/admin/transactions")
    tid = html.split('/admin/transactions/')[1].split('"')[0]
    detail = text(client, f"/admin/transactions/{tid}")
    for words in ("John Smith · Amazon Payments balance", "clearing (in flight)", "FPS fee revenue",
                  "DigitalDownload · prepaid liability", "buyer&#39;s stored value", "$9.70", "$0.30"):
        assert words in detail, words
    assert detail.count("$40.00") == 0 and "nothing is created or lost" in detail


def test_instruments_and_tokens(client, funded):
    html = text(client, "/admin/instruments")
    assert "John Smith</a> →" in html and "Funding" in html and "PrepaidSender" in html
    page = text(client, f"/admin/instruments/{funded['prepaidInstrumentID']}")
    assert funded["fundingTokenID"] in page and funded["prepaidSenderTokenID"] in page and "$10.00" in page


def test_ledger_page(client, funded):
    html = text(client, "/admin/ledger")
    assert "The books balance" in html and "fee_revenue" in html


def test_hostile_descriptions_are_escaped(client, fps, funded):
    fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="<script>x</script>",
             **{"TransactionAmount.Value": "0.50"}, CallerDescription="<img src=x onerror=alert(1)>")
    html = text(client, "/admin/transactions")
    tid = html.split('/admin/transactions/')[1].split('"')[0]
    detail = text(client, f"/admin/transactions/{tid}")
    assert "<script>x</script>" not in detail and "&lt;script&gt;x&lt;/script&gt;" in detail
    assert "<img src=x" not in detail


def test_unknown_records_are_404_pages(client):
    r = client.get("/admin/transactions/NOPE")
    assert r.status_code == 404 and "Page not found" in r.get_data(as_text=True)
    assert client.get("/admin/instruments/NOPE").status_code == 404


def test_reset_needs_a_post_with_csrf(app, client, funded):
    assert client.get("/admin/reset").status_code == 405
    assert client.post("/admin/reset").status_code == 400
    page = text(client, "/admin/")
    asked = client.post("/admin/reset", data={"csrf_token": csrf(page), "submit": "reset"})
    assert asked.status_code == 200 and "Reset: are you sure?" in asked.get_data(as_text=True)
    with services_of(app).storage.read() as conn:
        assert conn.execute(select(func.count()).select_from(Instrument)).scalar_one() == 1  # nothing thrown away yet
    r = client.post("/admin/reset", data={"csrf_token": csrf(page), "submit": "reset", "confirmed": "yes"})
    assert r.status_code == 302
    with services_of(app).storage.read() as conn:
        assert conn.execute(select(func.count()).select_from(Instrument)).scalar_one() == 0
    assert "$100.00" in text(client, "/admin/accounts") and "No transactions yet" in text(client, "/admin/transactions")


def test_transactions_paginate(client, fps, buyer):
    ret = buyer.authorize(prepaid_params(amount="100.00"))
    fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
             CallerReference="f", **{"FundingAmount.Value": "100.00"})
    for i in range(55):
        fps.call("Pay", SenderTokenId=ret["prepaidSenderTokenID"], CallerReference=f"p{i}",
                 **{"TransactionAmount.Value": "0.01"})
    first = text(client, "/admin/transactions")
    assert first.count('href="/admin/transactions/14') == 50 and "Older →" in first
    older = first.split('href="/admin/transactions?before=')[1].split('"')[0].replace("&amp;", "&")
    second = text(client, "/admin/transactions?before=" + older)
    assert second.count('href="/admin/transactions/14') == 6 and "Older →" not in second


def test_credit_instruments_show_limit_debt_settled_and_written_off(client, news, tab):
    amount = lambda p, v: {f"{p}.Value": v, f"{p}.CurrencyCode": "USD"}  # noqa: E731
    for n in range(30):
        news.call("Pay", SenderTokenId=tab["creditSenderTokenID"], CallerReference=f"a{n}",
                  **amount("TransactionAmount", "0.25"))
    news.call("SettleDebt", SenderTokenId=tab["settlementTokenID"], CreditInstrumentId=tab["creditInstrumentID"],
              CallerReference="s1", **amount("SettlementAmount", "5.00"))
    news.call("WriteOffDebt", CreditInstrumentId=tab["creditInstrumentID"], CallerReference="w1",
              **amount("AdjustmentAmount", "1.00"))
    html = text(client, "/admin/instruments")
    row = html[html.index("Rita Reader</a>"):][:900]
    for figure in ("$20.00", "$100.00", "$5.00", "$1.00", "$1.50"):  # limit, total, settled, written off, debt
        assert figure in row, figure
    page = text(client, f"/admin/instruments/{tab['creditInstrumentID']}")
    assert "Charged</dt><dd>$7.50" in page and "Written off</dt><dd>$1.00" in page
    assert "SettleDebt" in page and "$0.30" in page and "$4.70" in page
    card = _card(text(client, "/admin/"), "The Daily Byte")
    assert "Outstanding debt</dt><dd>$1.50" in card and "Pays</dt><dd><strong>30</strong> for $7.50" in card
    assert "Written off</dt><dd>$1.00" in card
    settled = text(client, "/admin/transactions?operation=SettleDebt")
    assert "$5.00" in settled and "$0.30" in settled and "$4.70" in settled
    tid = settled.split('/admin/transactions/')[1].split('"')[0]
    detail = text(client, f"/admin/transactions/{tid}")
    assert "debt the buyer owes" in detail and "sales on credit not yet settled" in detail
    writeoff = text(client, "/admin/transactions?operation=WriteOffDebt")
    tid = writeoff.split('/admin/transactions/')[1].split('"')[0]
    assert "debt written off (expense)" in text(client, f"/admin/transactions/{tid}")


def test_refund_and_original_link_each_other(client, fps, funded):
    tid = fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="p",
                   **{"TransactionAmount.Value": "1.00"}).find("PayResult/TransactionId")
    rid = fps.call("Refund", TransactionId=tid, CallerReference="r").find("RefundResult/TransactionId")
    original = text(client, f"/admin/transactions/{tid}")
    assert f'/admin/transactions/{rid}"' in original and "Refunds" in original
    refund = text(client, f"/admin/transactions/{rid}")
    assert f'/admin/transactions/{tid}"' in refund and "Refund of" in refund
    assert "reversal: prepaid balance restored" in refund
    assert rid in text(client, "/admin/transactions?operation=Refund")


def test_transaction_page_links_its_requests_and_notifications(client, fps, funded):
    tid = fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="p",
                   **{"TransactionAmount.Value": "0.50"}).find("PayResult/TransactionId")
    page = text(client, f"/admin/transactions/{tid}")
    request_link = page.split("<h2>API requests</h2>")[1].split('href="/admin/requests/')[1].split('"')[0]
    assert "PayResponse" in text(client, f"/admin/requests/{request_link}")
    note_link = page.split('href="/admin/notifications/')[1].split('"')[0]
    assert tid in text(client, f"/admin/notifications/{note_link}")
