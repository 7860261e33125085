"""Refund, Cancel and CancelToken from the console: confirmed first, then sent as the caller's own signed
call, so they log, notify and book exactly as API calls; refused calls listed where they belong."""

import json
import re

import pytest

from sqlalchemy import select

from conftest import assert_books_balance, csrf, prepaid_params, services_of
from sandbox.models import ApiCall, FpsTransaction, Notification


@pytest.fixture
def app_config(app_config):
    return {**app_config, "FPS_PENDING_SECONDS": 3600}  # a Pending funding stays Pending while the test looks


def _pay(fps, token: str, ref: str, value: str = "0.50"):
    r = fps.call("Pay", SenderTokenId=token, CallerReference=ref, **{"TransactionAmount.Value": value})
    assert r.error_code is None, r.text
    return r.find("PayResult/TransactionId")


def _post(client, url: str, page: str, **data):
    """POST a console form the way a browser does: with the CSRF token of the page it sits on."""
    return client.post(url, data={"csrf_token": csrf(client.get(page).get_data(as_text=True)), **data})


def _rows(app, model, *where):
    with services_of(app).storage.read() as conn:
        return conn.execute(select(model.__table__).where(*where)).all()


def test_a_refund_asks_first_then_is_the_callers_own_refund_call(app, client, fps, funded):
    tid = _pay(fps, funded["prepaidSenderTokenID"], "song-1")
    page = f"/admin/transactions/{tid}"
    html = client.get(page).get_data(as_text=True)
    assert "Refund, $ (empty: all $0.50 left)" in html and "Cancel this transaction" not in html
    asked = _post(client, f"{page}/refund", page, amount="0.20")
    assert asked.status_code == 200 and "Refund: are you sure?" in asked.get_data(as_text=True)
    assert "Refund $0.20 of this Pay to John Smith?" in asked.get_data(as_text=True)
    assert len(_rows(app, FpsTransaction, FpsTransaction.operation == "Refund")) == 0  # nothing done yet

    done = _post(client, f"{page}/refund", page, amount="0.20", confirmed="yes")
    assert done.status_code == 302
    refund = _rows(app, FpsTransaction, FpsTransaction.operation == "Refund")
    assert [(r.amount_cents, r.status) for r in refund] == [(20, "Success")]
    assert done.headers["Location"].endswith(f"/admin/transactions/{refund[0].transaction_id}")
    logged = _rows(app, ApiCall, ApiCall.action == "Refund")
    assert [(c.face, c.verdict, c.http_status, c.transaction_id) for c in logged] == \
        [("console", "ok", 200, refund[0].transaction_id)]
    params = json.loads(logged[0].params)
    assert params["RefundAmount.Value"] == "0.20" and params["CallerReference"].startswith("console-refund-")
    assert _rows(app, Notification, Notification.transaction_pk == refund[0].id)  # notified like an API refund
    shown = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Refund sent as the caller: Success" in shown and f"/admin/requests/{logged[0].id}" in shown
    assert "Refund, $ (empty: all $0.30 left)" in client.get(page).get_data(as_text=True)
    assert_books_balance(app)


def test_a_refund_fps_refuses_is_shown_with_its_error_and_listed_as_refused(app, client, fps, funded):
    tid = _pay(fps, funded["prepaidSenderTokenID"], "song-1")
    page = f"/admin/transactions/{tid}"
    for amount, code in (("0.60", "RefundAmountExceeded"), ("abc", "InvalidParams")):
        r = _post(client, f"{page}/refund", page, amount=amount, confirmed="yes")
        assert r.status_code == 302 and r.headers["Location"].endswith(page)
        html = client.get(page).get_data(as_text=True)
        assert f"FPS refused the Refund: {code}" in html, html
        assert html.count(f">{code}<") >= 1  # in the refused calls list
        assert "RefundAmount" in html.split("FPS refused")[1][:300]  # the API's message names the parameter
    assert len(_rows(app, FpsTransaction, FpsTransaction.operation == "Refund")) == 0
    assert_books_balance(app)


def test_a_refund_of_an_unknown_transaction_or_without_csrf_is_refused(client, fps, funded):
    tid = _pay(fps, funded["prepaidSenderTokenID"], "song-1")
    assert client.post("/admin/transactions/no-such-id/refund", data={}).status_code in (400, 404)
    r = client.post(f"/admin/transactions/{tid}/refund", data={"confirmed": "yes"})
    assert r.status_code == 400  # no CSRF token


def test_a_funding_shows_no_refund_button(client, fps, funded):
    html = client.get("/admin/transactions?operation=FundPrepaid").get_data(as_text=True)
    tid = re.search(r"/admin/transactions/([A-Z0-9]+)\"", html).group(1)
    assert "Refund, $" not in client.get(f"/admin/transactions/{tid}").get_data(as_text=True)


def test_cancel_a_pending_transaction_from_the_console(app, client, fps, buyer):
    ret = buyer.authorize(prepaid_params())
    pending = fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
                       CallerReference="slow", **{"FundingAmount.Value": "5.65"})  # .6x: Pending (forcing-outcomes)
    assert pending.find("FundPrepaidResult/TransactionStatus") == "Pending", pending.text
    tid = pending.find("FundPrepaidResult/TransactionId")
    page = f"/admin/transactions/{tid}"
    assert "Cancel this transaction" in client.get(page).get_data(as_text=True)
    asked = _post(client, f"{page}/cancel", page, reason="changed my mind")
    assert "Cancel: are you sure?" in asked.get_data(as_text=True)
    done = _post(client, f"{page}/cancel", page, reason="changed my mind", confirmed="yes")
    assert done.status_code == 302
    assert _rows(app, FpsTransaction, FpsTransaction.transaction_id == tid)[0].status == "Cancelled"
    logged = _rows(app, ApiCall, ApiCall.action == "Cancel")
    assert [(c.face, c.http_status) for c in logged] == [("console", 200)]
    assert json.loads(logged[0].params)["Description"] == "changed my mind"
    assert_books_balance(app)


def test_cancel_a_token_from_the_console_then_pays_are_refused_and_listed(app, client, fps, funded):
    token = funded["prepaidSenderTokenID"]
    page = f"/admin/tokens/{token}"
    assert "Cancel this token" in client.get(page).get_data(as_text=True)
    asked = _post(client, f"{page}/cancel", page, reason="lost card")
    assert "CancelToken: are you sure?" in asked.get_data(as_text=True)
    done = _post(client, f"{page}/cancel", page, reason="lost card", confirmed="yes")
    assert done.status_code == 302 and done.headers["Location"].endswith(page)
    html = client.get(page).get_data(as_text=True)
    assert "Inactive" in html and "lost card" in html and "Cancel this token" not in html
    refused = fps.call("Pay", SenderTokenId=token, CallerReference="after", **{"TransactionAmount.Value": "0.50"})
    assert refused.error_code == "TokenNotActive_Sender"
    html = client.get(page).get_data(as_text=True)
    section = html[html.index('id="refused"'):]
    assert "TokenNotActive_Sender" in section and ">Pay<" in section
    inst = client.get(f"/admin/instruments/{funded['prepaidInstrumentID']}").get_data(as_text=True)
    assert "TokenNotActive_Sender" in inst[inst.index('id="refused"'):]


def test_refused_lists_stay_empty_for_other_subjects(client, fps, funded):
    fps.call("Pay", SenderTokenId="X" * 64, CallerReference="r", **{"TransactionAmount.Value": "0.50"})
    html = client.get(f"/admin/tokens/{funded['prepaidSenderTokenID']}").get_data(as_text=True)
    assert "None refused." in html


def test_the_request_page_says_the_token_belongs_to_another_caller(app, client, news, funded):
    r = news.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="steal",
                  **{"TransactionAmount.Value": "0.50"})
    assert r.error_code == "InvalidTokenId_Sender"
    with services_of(app).storage.read() as conn:
        pk = conn.execute(select(ApiCall.id).where(ApiCall.error_code == "InvalidTokenId_Sender")).scalar_one()
    html = client.get(f"/admin/requests/{pk}").get_data(as_text=True)
    assert "belongs to another caller" in html.split("<dt>Error</dt>")[1][:600]
    assert f'href="/admin/tokens?q={funded["prepaidSenderTokenID"]}"' in html
