"""The money, readable for a class: a transaction's money flow drawn from its ledger lines, and book balances
in words (a liability 'owes', a card 'came in from outside')."""

import re

from conftest import services_of
from sandbox.admin import sequence
from sandbox.admin.blueprint import book_reading
from sqlalchemy import select
from sandbox.models import FpsTransaction, LedgerEntry


def test_a_fundings_flow_has_one_arrow_per_transfer_each_linking_its_book(app, client, funded):
    with services_of(app).storage.read() as conn:
        txn = conn.execute(select(FpsTransaction.id, FpsTransaction.transaction_id)).one()
        lines = conn.execute(select(LedgerEntry.book, LedgerEntry.amount_cents)
                             .where(LedgerEntry.transaction_pk == txn.id).order_by(LedgerEntry.id)).all()
    html = client.get(f"/admin/transactions/{txn.transaction_id}").get_data(as_text=True)
    start = html.index('aria-labelledby="flow-title')
    svg = html[html.rindex("<svg", 0, start):html.index("</svg>", start) + 6]
    assert svg.count('marker-end="url(#flow-head)"') == len(lines) // 2
    linked = re.findall(r'<a href="/admin/ledger\?book=([^"]+)">', svg)
    assert linked == [into.book for into in lines[1::2]]
    desc = re.search(r'<desc id="flow-desc">(.*?)</desc>', svg).group(1)
    assert "$10.00" in desc and "$0.30" in desc and "FPS fee revenue" in desc
    assert "<title id=\"flow-title\">Where the money of FundPrepaid" in svg


def test_book_balances_read_in_words(client, funded):
    assert book_reading("prepaid_liability:1", -1000) == "owes buyers $10.00 of prepaid value"
    assert book_reading("balance:3", 9000) == "holds $90.00"
    assert book_reading("funding:CC:1", -1000) == "$10.00 came in from outside"
    assert book_reading("fee_revenue", -30) == "FPS earned $0.30 in fees"
    assert book_reading("receivable:2", 250) == "the buyer owes $2.50"
    assert book_reading("clearing", 0) == "empty"
    assert book_reading("balance:3", -5) == "holds $0.05 (the other way round)"
    page = client.get("/admin/ledger").get_data(as_text=True)
    assert "owes buyers $10.00 of prepaid value" in page and "FPS earned $0.30 in fees" in page


def test_the_sequence_renderer_escapes_and_numbers_its_arrows():
    svg = sequence.render("A <test>", ["Buyer's browser", "Merchant & co"], [
        sequence.Arrow(0, 1, "GET /return?a=1&b=<2>", href="/x?a=1&b=2"),
        sequence.Arrow(1, 0, "302", reply=True, note="status=SA"),
        sequence.Arrow(1, 1, "thinks")], key="t")
    assert "A &lt;test&gt;" in svg and "Merchant &amp; co" in svg and "b=&lt;2&gt;" in svg
    assert '<a href="/x?a=1&amp;b=2">' in svg and svg.count('marker-end="url(#t-head)"') == 3
    assert "1. GET" in svg and "2. 302" in svg and "3. thinks" in svg and 'stroke-dasharray="6 4"' in svg
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    from xml.etree import ElementTree
    ElementTree.fromstring(svg)  # well-formed


def test_the_sequence_diagram_of_a_pay_matches_the_request_log(app, client, fps, buyer):
    from sqlalchemy import or_, update

    from conftest import prepaid_params
    from listener import Listener
    from sandbox.models import Account, ApiCall
    from sandbox.runtime import ipn
    ret = buyer.authorize(prepaid_params())
    fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
             CallerReference="f", **{"FundingAmount.Value": "10.00"})
    with Listener() as listener:
        with services_of(app).storage.write() as conn:
            conn.execute(update(Account).values(ipn_url=listener.url))
        tid = fps.call("Pay", SenderTokenId=ret["prepaidSenderTokenID"], CallerReference="p",
                       **{"TransactionAmount.Value": "0.50"}).find("PayResult/TransactionId")
        fps.call("Refund", TransactionId=tid, CallerReference="r", **{"RefundAmount.Value": "9.00"})  # refused
        ipn.deliver_due(services_of(app))
    with services_of(app).storage.read() as conn:
        about = conn.execute(select(ApiCall.id, ApiCall.action, ApiCall.error_code).where(
            or_(ApiCall.transaction_id == tid, ApiCall.subject == tid)).order_by(ApiCall.id)).all()
        start = conn.execute(select(ApiCall.id).where(ApiCall.face == "cbui")).scalar_one()
    assert [(a.action, a.error_code) for a in about] == [("Pay", None), ("Refund", "RefundAmountExceeded")]
    html = client.get(f"/admin/transactions/{tid}").get_data(as_text=True)
    at = html.index('aria-labelledby="talk-title')
    svg = html[html.rindex("<svg", 0, at):html.index("</svg>", at) + 6]
    labels = re.findall(r'<text [^>]*text-anchor="(?:middle|start)"[^>]*>(\d+\. [^<]+)</text>', svg)
    assert labels == ["1. GET signed start link", "2. 302 sign-in page", "3. 302 to the returnURL",
                      "4. GET returnURL (signed)", "5. Pay", "6. 200 OK", "7. Refund", "8. 400 RefundAmountExceeded",
                      "9. POST TransactionStatus"], labels  # in time order: the delivery came after the Refund
    requests = re.findall(r'<a href="/admin/requests/(\d+)">', svg)
    assert [int(r) for r in requests] == [start, about[0].id, about[0].id, about[1].id, about[1].id]
    assert "delivered, answered 200" in svg and re.search(r'<a href="/admin/notifications/\d+">', svg)
    download = client.get(f"/admin/transactions/{tid}/sequence.svg")
    assert download.mimetype == "image/svg+xml" and "attachment" in download.headers["Content-Disposition"]
    assert client.get("/admin/transactions/NOPE/sequence.svg").status_code == 404
    token = client.get(f"/admin/tokens/{ret['prepaidSenderTokenID']}/sequence.svg").get_data(as_text=True)
    assert "5. Pay" in token and "GET signed start link" in token
