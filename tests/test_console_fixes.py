"""Wording, figures and accessibility fixes of the console and the Co-Branded pages (issue 14, item 5)."""

import re

from conftest import cbui_link, csrf, prepaid_params


def page(client, url, status=200):
    r = client.get(url)
    assert r.status_code == status, url
    return r.get_data(as_text=True)


def test_a_refund_row_reads_merchant_to_buyer(client, fps, funded):
    paid = fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="p",
                    **{"TransactionAmount.Value": "0.50"}).find("PayResult/TransactionId")
    refund = fps.call("Refund", TransactionId=paid, CallerReference="r").find("RefundResult/TransactionId")
    html = page(client, "/admin/transactions?operation=Refund")
    row = html[html.index('<td class="wide-only">Refund</td>'):][:700]
    assert re.search(r">DigitalDownload</a> → <a [^>]+>John Smith<", row), row
    detail = page(client, f"/admin/transactions/{refund}")
    assert "From (the merchant)" in detail and "Back to the buyer" in detail
    assert "the payment instrument was charged" not in detail


def test_pages_have_one_csrf_id_at_most_and_titles_name_the_id(client, funded):
    for url in ("/admin/", f"/admin/tokens/{funded['prepaidSenderTokenID']}", "/admin/faults", "/admin/recipes"):
        assert 'id="csrf_token"' not in page(client, url), url
    token = page(client, f"/admin/tokens/{funded['prepaidSenderTokenID']}")
    assert f"<title>PrepaidSender token {funded['prepaidSenderTokenID']} · FPS Sandbox</title>" in token
    inst = page(client, f"/admin/instruments/{funded['prepaidInstrumentID']}")
    assert f"<title>Prepaid instrument {funded['prepaidInstrumentID']} · FPS Sandbox</title>" in inst


def test_the_navigation_marks_the_current_page_and_offers_a_skip_link(client, funded):
    html = page(client, f"/admin/tokens/{funded['prepaidSenderTokenID']}")
    assert re.findall(r'<a href="([^"]+)" aria-current="page">', html) == ["/admin/tokens"]
    assert '<a class="skip" href="#main">' in html and '<main id="main"' in html


def test_an_unknown_id_in_the_console_keeps_the_console_around_it(client):
    html = page(client, "/admin/transactions/NOSUCHID", 404)
    assert 'aria-label="Console"' in html and "NOSUCHID" in html and "Page not found" in html
    assert 'aria-label="Console"' in page(client, "/admin/no-such-page", 404)


def _start(client, **params):
    started = client.get(cbui_link(prepaid_params(**params)))
    return started.headers["Location"]


def test_sign_in_errors_are_tied_to_their_fields_and_take_focus(client):
    url = _start(client)
    html = page(client, url)
    r = client.post(url, data={"csrf_token": csrf(html), "email": "", "password": "", "submit": "Sign in"})
    html = r.get_data(as_text=True)
    email = re.search(r'<input[^>]*id="email"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in email and 'aria-describedby="email-error"' in email and "autofocus" in email
    assert 'id="email-error"' in html
    assert html.count("autofocus") == 1
    wrong = client.post(url, data={"csrf_token": csrf(html), "email": "john@example.com", "password": "nope",
                                   "submit": "Sign in"}).get_data(as_text=True)
    field = re.search(r'<input[^>]*id="password"[^>]*>', wrong).group(0)
    assert "autofocus" in field and 'role="alert"' in wrong


def test_the_only_payment_method_is_chosen_already(client):
    url = _start(client, paymentMethod="ABT")
    html = page(client, url)
    signed_in = client.post(url, data={"csrf_token": csrf(html), "email": "pat@example.com", "password": "sandbox",
                                       "submit": "Sign in"})
    method = page(client, signed_in.headers["Location"])
    radios = re.findall(r'<input[^>]*type="radio"[^>]*>', method)
    assert len(radios) == 1 and "checked" in radios[0]
    john = _start(client, callerReferenceFunding="f-2", callerReferenceSender="s-2")
    html = page(client, john)
    signed_in = client.post(john, data={"csrf_token": csrf(html), "email": "john@example.com", "password": "sandbox",
                                        "submit": "Sign in"})
    assert "checked" not in page(client, signed_in.headers["Location"])  # several: the buyer chooses
