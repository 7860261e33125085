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
    svg = html[html.index('<svg xmlns="http://www.w3.org/2000/svg"'):html.index("</svg>") + 6]
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
