"""Guided lessons: each step performed for real in a merchant and buyer of the run's own, its numbers read
from the rendered page (fee $0.30, net $9.70, balance $0.00 after twenty $0.50 songs, the settlement fee)."""

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from conftest import assert_books_balance, csrf, services_of
from sandbox.models import Account, ApiCall, FpsTransaction


def start(client, lesson):
    page = client.get("/admin/lessons").get_data(as_text=True)
    r = client.post(f"/admin/lessons/{lesson}/start", data={"csrf_token": csrf(page)})
    assert r.status_code == 302
    return r.headers["Location"].rsplit("/", 1)[0]  # /admin/lessons/run/<id>


def page(client, url):
    r = client.get(url)
    assert r.status_code == 200, url
    return r.get_data(as_text=True)


def do(client, run, n):
    html = page(client, f"{run}/{n}")
    r = client.post(f"{run}/{n}", data={"csrf_token": csrf(html)})
    assert r.status_code == 302
    return page(client, f"{run}/{n}")


def money(html, what):
    row = re.search(rf'<tr class="(changed)?" data-key="{what}">(.*?)</tr>', html, re.S)
    assert row, what
    before, after = re.findall(r'<td class="num">(?:<strong>)?([^<]*)', row.group(2))
    return before, after, row.group(1) == "changed"


def click_through(client, html):
    """The presenter opens the Co-Branded pages, signs in with one click as the lesson's buyer, confirms."""
    link = re.search(r'id="open-cbui" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    started = client.get(link.replace("http://localhost", ""))
    sign_in = page(client, started.headers["Location"])
    buyer = re.findall(r'name="email" value="([^"]+@lesson\.example)"', sign_in)
    assert len(buyer) == 1  # the run's own buyer, offered for one click
    chosen = client.post(started.headers["Location"], data={"csrf_token": csrf(sign_in), "email": buyer[0],
                                                            "password": "sandbox", "submit": "Sign in"})
    method = page(client, chosen.headers["Location"])
    radios = re.findall(r'<input[^>]*type="radio"[^>]*>', method)
    assert len(radios) == 1 and "checked" in radios[0]  # the only method, chosen already
    value = re.search(r'value="([A-Z]+:\d+)"', radios[0]).group(1)
    confirm_url = client.post(chosen.headers["Location"], data={"csrf_token": csrf(method), "choice": value,
                                                               "submit": "Continue"}).headers["Location"]
    confirm = page(client, confirm_url)
    back = client.post(confirm_url, data={"csrf_token": csrf(confirm), "confirm": "Confirm"}).headers["Location"]
    parts = urlsplit(back)
    assert parts.path.endswith("/return")
    return client.get(f"{parts.path}?{parts.query}")


def test_the_prepaid_lesson_step_by_step(app, client):
    run = start(client, "prepaid")
    intro = page(client, f"{run}/1")
    assert "Who is who" in intro and "@lesson.example" in intro and "Next: The buyer sets up" in intro
    back = click_through(client, page(client, f"{run}/2"))
    assert back.status_code == 302 and back.headers["Location"].endswith(f"{run}/3")
    assert "signature verified" in page(client, f"{run}/2")

    fund = do(client, run, 3)
    assert money(fund, "fees_paid") == ("$0.00", "$0.30", True)
    assert money(fund, "merchant_balance") == ("$0.00", "$9.70", True)
    assert money(fund, "prepaid_balance") == ("$0.00", "$10.00", True)
    assert money(fund, "buyer_balance") == ("$100.00", "$90.00", True)
    assert "FundPrepaidResponse" in fund and "TransactionStatus" in fund and "AWSAccessKeyId" in fund
    assert "POST\nlocalhost\n/\n" in fund  # the string to sign
    assert money(do(client, run, 4), "prepaid_balance") == ("$10.00", "$9.50", True)
    twenty = do(client, run, 5)
    assert money(twenty, "prepaid_balance") == ("$9.50", "$0.00", True)
    assert money(twenty, "fees_paid") == ("$0.30", "$0.30", False)  # no fee on a Pay
    assert "(the last of 19)" in twenty
    refused = do(client, run, 6)
    assert "InsufficientBalance" in refused and "(as the lesson expects)" in refused
    assert money(refused, "prepaid_balance") == ("$0.00", "$0.00", False)
    assert money(do(client, run, 7), "prepaid_balance") == ("$0.00", "$0.50", True)
    last = do(client, run, 8)
    assert "&lt;Value&gt;0.500000&lt;/Value&gt;" in last and "The whole lesson: who talked to whom" in last
    with services_of(app).storage.read() as conn:
        faces = {f for (f,) in conn.execute(select(ApiCall.face).where(ApiCall.face != "cbui")).all()}
        demo = conn.execute(select(FpsTransaction.id).where(FpsTransaction.caller_id == 1)).all()
    assert faces == {"lesson"} and demo == []  # the demo world's merchant was not touched
    assert_books_balance(app)


def test_the_postpaid_lesson_step_by_step(app, client):
    run = start(client, "postpaid")
    click_through(client, page(client, f"{run}/2"))
    read = do(client, run, 3)
    assert money(read, "debt") == ("$0.00", "$2.00", True)
    assert "&lt;Value&gt;2.000000&lt;/Value&gt;" in do(client, run, 4)
    settle = do(client, run, 5)
    assert money(settle, "fees_paid") == ("$0.00", "$0.15", True)
    assert money(settle, "merchant_balance") == ("$0.00", "$1.85", True)
    assert money(settle, "debt") == ("$2.00", "$0.00", True)
    assert money(do(client, run, 6), "debt") == ("$0.00", "$0.50", True)
    written = do(client, run, 7)
    assert money(written, "debt") == ("$0.50", "$0.00", True)
    assert money(written, "fees_paid") == ("$0.15", "$0.15", False)
    assert_books_balance(app)


def test_a_step_is_done_once_and_needs_the_steps_before_it(app, client):
    run = start(client, "prepaid")
    html = page(client, f"{run}/3")
    r = client.post(f"{run}/3", data={"csrf_token": csrf(html)})
    assert "Do the steps before this one first" in page(client, r.headers["Location"])
    click_through(client, page(client, f"{run}/2"))
    do(client, run, 3)
    again = client.post(f"{run}/3", data={"csrf_token": csrf(html)})  # a second click changes nothing
    assert again.status_code == 302
    with services_of(app).storage.read() as conn:
        fundings = conn.execute(select(FpsTransaction.id).where(FpsTransaction.operation == "FundPrepaid")).all()
    assert len(fundings) == 1


def test_restart_makes_a_fresh_merchant_and_buyer(app, client):
    first = start(client, "prepaid")
    second = start(client, "prepaid")
    assert first != second
    with services_of(app).storage.read() as conn:
        made = conn.execute(select(Account.email).where(Account.email.like("%@lesson.example"))).scalars().all()
    assert len(made) == 4 and len(set(made)) == 4


@pytest.mark.parametrize("url, status", [("/admin/lessons/run/999/1", 404), ("/admin/lessons/run/1/99", 404),
                                         ("/admin/lessons/run/1/0", 404), ("/admin/lessons/nope/start", 405)])
def test_unknown_runs_and_steps(client, url, status):
    start(client, "prepaid")
    assert client.get(url).status_code == status


def test_a_tampered_return_is_not_taken(client):
    run = start(client, "prepaid")
    r = client.get(f"{run}/return?status=SA&prepaidInstrumentID=X&signature=bad&signatureVersion=2"
                   f"&signatureMethod=RSA-SHA1&certificateUrl=http://localhost/certs/x/PKICert.pem")
    assert r.headers["Location"].endswith(f"{run}/2")
    assert "does not verify" in page(client, r.headers["Location"])


def test_presenter_mode_keeps_itself_across_steps(client):
    run = start(client, "prepaid")
    html = page(client, f"{run}/1?present=1")
    assert '<body class="present">' in html and f'href="{run}/2?present=1"' in html


def test_every_element_of_a_response_is_explained(client):
    run = start(client, "prepaid")
    click_through(client, page(client, f"{run}/2"))
    html = do(client, run, 3)
    explained = re.findall(r"<dt><code>(\w+)</code></dt><dd>([^<]+)</dd>", html)
    names = [name for name, _ in explained]
    assert names == ["FundPrepaidResponse", "FundPrepaidResult", "TransactionId", "TransactionStatus",
                     "ResponseMetadata", "RequestId"]
    assert all(len(meaning) > 10 for _, meaning in explained)
    do(client, run, 4)
    do(client, run, 5)
    refused = do(client, run, 6)
    assert "<dt><code>Code</code></dt>" in refused and "<dt><code>Message</code></dt>" in refused
