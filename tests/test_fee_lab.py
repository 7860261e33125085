"""The fee economics lab and the fee schedule page: figures from the fee engine, bad inputs answered with a
clear message (never a 500), charts as SVG that fetch nothing."""

import re

import pytest

from conftest import services_of
from sandbox.domain import fee_lab
from sandbox.domain.fees import FeeSchedule
from sandbox.config import ROOT

DEFAULT = FeeSchedule.load(ROOT / "fixtures" / "fees" / "default.json")
CARD_2009 = FeeSchedule.load(ROOT / "fixtures" / "fees" / "card-2009.json")


def figures(schedule, price="0.50", purchases="20", method="CC", per_week="5"):
    return {s.name.split(" (")[0]: s for s in fee_lab.scenarios(
        schedule, fee_lab.read_inputs(price, purchases, method, per_week))}


def test_twenty_fifty_cent_card_payments_against_one_ten_dollar_funding():
    rows = figures(DEFAULT)
    one, prepaid = rows["Each purchase charged as its own payment"], rows["One prepaid funding, then Pays"]
    assert (one.movements, one.moved_cents, one.fee_cents, one.net_cents) == (20, 1000, 160, 840)  # 20 × $0.08
    assert (prepaid.movements, prepaid.fee_cents, prepaid.net_cents) == (1, 30, 970)  # the guide's $0.30 / $9.70
    assert one.fee_per_purchase == "8.00¢" and prepaid.fee_per_purchase == "1.50¢"
    assert prepaid.fee_percent == "3.00%" and one.fee_percent == "16.00%"
    weekly = rows["Postpaid Pays, settled weekly"]
    assert weekly.movements == 4 and weekly.fee_cents == 4 * 18  # $2.50 a week: 5% + $0.05 = $0.175 → $0.18


@pytest.mark.parametrize("price, purchases, per_week", [("0.01", "1", "1"), ("0.99", "7", "3"), ("12.34", "3", "2"),
                                                         ("10000.00", "1", "1"), ("0.05", "10000", "7")])
def test_every_scenario_matches_the_fee_engine(price, purchases, per_week):
    for schedule in (DEFAULT, CARD_2009):
        given = fee_lab.read_inputs(price, purchases, "ACH", per_week)
        rows = fee_lab.scenarios(schedule, given)
        total = given.price_cents * given.purchases

        def quote(cents, schedule=schedule):
            return schedule.quote("FundPrepaid", "ACH", cents).fee_cents

        assert rows[0].fee_cents == quote(given.price_cents) * given.purchases
        assert rows[1].fee_cents == rows[2].fee_cents == quote(total)
        weeks, rest = divmod(given.purchases, given.per_week)
        assert rows[3].fee_cents == weeks * quote(given.price_cents * given.per_week) + (quote(given.price_cents * rest)
                                                                                        if rest else 0)
        assert all(r.moved_cents == total and r.net_cents == total - r.fee_cents for r in rows)


def test_break_even():
    assert fee_lab.break_even(DEFAULT, "CC", 50) == 2  # $1.00 at once: $0.10 < 2 × $0.08
    assert fee_lab.break_even(DEFAULT, "CC", 1_000_000) is None  # nothing above the largest amount


@pytest.mark.parametrize("price, purchases, per_week, words", [
    ("-1", "20", "5", "Price per purchase must be an amount"), ("0", "20", "5", "from $0.01"),
    ("abc", "20", "5", "Price per purchase must be an amount"), ("99999999", "20", "5", "from $0.01"),
    ("0.50", "0", "5", "Purchases per buyer must be a whole number"), ("0.50", "1.5", "5", "whole number"),
    ("0.50", "1e9", "5", "Purchases per buyer"), ("0.50", "NaN", "5", "Purchases per buyer"),
    ("0.50", "20", "-3", "Purchases a week"), ("0.50", "", "5", "Purchases per buyer"),
    ("1.234", "20", "5", "Price per purchase"), ("0.50", "20", "Infinity", "Purchases a week")])
def test_bad_inputs_are_named(price, purchases, per_week, words):
    with pytest.raises(fee_lab.LabInputError, match=re.escape(words)):
        fee_lab.read_inputs(price, purchases, "CC", per_week)
    with pytest.raises(fee_lab.LabInputError, match="Payment method"):
        fee_lab.read_inputs("0.50", "20", "BTC", "5")


def test_the_lab_page_shows_the_lesson_and_bookmarks_it(client):
    html = client.get("/admin/lab?price=0.50&purchases=20&method=CC").get_data(as_text=True)
    table = html[html.index('id="scenarios"'):html.index("</table>", html.index('id="scenarios"'))]
    assert "<strong>$1.60</strong>" in table and "<strong>$0.30</strong>" in table and "$9.70" in table
    assert "8.00¢" in table and "1.50¢" in table
    assert "keeps <strong>$1.30</strong> more" in html and "from <strong>2</strong> purchases on" in html
    assert 'src="/admin/lab/cumulative.svg?schedule=default&amp;price=0.50&amp;purchases=20' in html and 'alt="Fees paid as purchases add up' in html


@pytest.mark.parametrize("query", ["price=-1", "purchases=abc", "purchases=" + "9" * 500,
                                   "method=<script>", "per_week=0", "price=" + "1" * 5000])
def test_the_lab_answers_bad_inputs_with_a_message(client, query):
    r = client.get(f"/admin/lab?{query}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="problem"' in html and "<script>" not in html.split("</header>")[1]
    assert 'id="scenarios"' not in html and 'id="saved"' in html  # no figures for bad inputs; the rest stays
    assert client.get("/admin/lab?price=%00").status_code == 400  # a NUL: refused before the page


def test_an_unknown_schedule_is_404(client):
    assert client.get("/admin/lab?schedule=nope").status_code == 404
    assert client.get("/admin/fees?schedule=../../etc/passwd").status_code == 404


def test_the_charts_are_svg_that_fetch_nothing(client):
    for url in ("/admin/lab/fees-by-size.svg", "/admin/lab/cumulative.svg?purchases=10000&price=0.05",
                "/admin/lab/cumulative.svg?schedule=card-2009"):
        r = client.get(url)
        assert r.status_code == 200 and r.mimetype == "image/svg+xml", url
        svg = r.get_data(as_text=True)
        assert svg.startswith("<svg") and len(svg) < 400_000
        assert not re.search(r"(src|href)=\"https?://", svg) and "kozea.github.io" not in svg
    assert client.get("/admin/lab/cumulative.svg?price=abc").status_code == 400
    assert client.get("/admin/lab/pie.svg").status_code == 404


def test_the_fee_schedule_page_lists_every_tier_and_calculates(client):
    html = client.get("/admin/fees?amount=10.00&method=CC").get_data(as_text=True)
    quote = html.split('id="quote"')[1][:200]
    assert "$10.00 → fee $0.30 (2.9% + $0.01)" in quote and "net $9.70" in quote
    for name in ("default (in use)", "card-2009"):
        assert name in html
    assert html.count("<td>5.0%</td>") == 2 and html.count("<td>2.9%</td>") == 2
    small = client.get("/admin/fees?amount=0.50&method=ACH").get_data(as_text=True)
    assert "fee $0.08" in small.split('id="quote"')[1][:200]
    for bad in ("amount=abc", "amount=-5", "amount=0", "method=XYZ", "amount=" + "9" * 300):
        page = client.get(f"/admin/fees?{bad}").get_data(as_text=True)
        assert 'role="alert"' in page, bad


def test_fees_saved_on_this_sandbox(app, client, fps, funded):
    for n in range(20):
        fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference=f"song{n}",
                 **{"TransactionAmount.Value": "0.50"})
    html = client.get("/admin/lab").get_data(as_text=True)
    table = html[html.index('id="saved"'):]
    row = table[table.index("<td>DigitalDownload</td>"):][:500]
    # funded by ABT: twenty $0.50 balance payments would cost 20 × $0.08; the funding cost $0.30
    assert re.findall(r'<td class="num">(?:<strong>)?([^<]+)', row)[:5] == ["20", "$10.00", "$1.60", "$0.30", "$1.30"]
    assert services_of(app).policy.fees.name == "default"


def test_the_dashboard_says_what_the_pays_would_have_cost_and_charts_them(client, fps, funded):
    for n in range(20):
        fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference=f"song{n}",
                 **{"TransactionAmount.Value": "0.50"})
    html = client.get("/admin/").get_data(as_text=True)
    card = html[html.index(">DigitalDownload</a> (caller)"):]
    assert re.search(r'class="one-by-one">its Pays would have cost\s*<strong>\$1.60</strong> in fees', card)
    assert "Fees paid</dt><dd><strong>$0.30</strong>" in card
    assert 'src="/admin/charts/pays.svg"' in html and 'src="/admin/charts/money.svg"' in html
    pays = client.get("/admin/charts/pays.svg")
    assert pays.mimetype == "image/svg+xml" and "DigitalDownload" in pays.get_data(as_text=True)
    assert '<desc class="value">20</desc>' in pays.get_data(as_text=True)  # one day, twenty Pays
    money = client.get("/admin/charts/money.svg").get_data(as_text=True)
    assert "DigitalDownload: money moved" in money and "DigitalDownload: fees" in money
    assert not re.search(r'(src|href)="https?://', money)
    assert client.get("/admin/charts/pie.svg").status_code == 404


def test_the_charts_draw_an_empty_sandbox(client):
    for name in ("pays", "money"):
        r = client.get(f"/admin/charts/{name}.svg")
        assert r.status_code == 200 and r.get_data(as_text=True).startswith("<svg")


def test_the_fee_chart_draws_one_line_when_every_method_costs_the_same(client):
    svg = client.get("/admin/lab/fees-by-size.svg").get_data(as_text=True)
    assert "every payment method" in svg and "bank account" not in svg  # the shipped schedules: one tier list
    from sandbox.admin import charts

    split = FeeSchedule.from_dict({"name": "split", "methods": {"*": [{"min": "0", "percent": "5", "fixed": "0.05"}],
                                                                "ACH": [{"min": "0", "percent": "1", "fixed": "0.01"}]}})
    drawn = charts.fee_by_size(split)
    assert "bank account" in drawn and "credit card" in drawn and "every payment method" not in drawn
