"""The console as a workbench, in Chromium against gunicorn: a tester refunds, cancels a token and runs
recipes from the console alone; the merchant inbox's return page verifies a real redirect; its IPN catcher
shows a delivery refused once, then retried and delivered."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from urllib.parse import urlencode

import pytest
from e2e.conftest import serve

pytestmark = pytest.mark.e2e
DD_KEY, DD_SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def control(server, path, body=None, method=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{server['url']}/admin/api/{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def run_recipe(page, server, name):
    page.goto(f"{server['url']}/admin/recipes")
    page.click(f"#recipe-{name}")
    page.wait_for_load_state()
    return page.inner_text(".flash")


def test_refund_and_cancel_a_token_from_the_console_alone(own_server, page):
    run_recipe(page, own_server, "insufficient-balance")  # a funded instrument with two $0.50 Pays
    page.click("text=Details")
    token_url = page.url
    pay_row = page.locator("table tr", has_text="Pay").first
    pay_row.locator("a.id").click()
    page.fill("#refund-amount", "0.20")
    page.click("text=Refund…")
    assert "Refund $0.20 of this Pay to John Smith?" in page.inner_text("main")
    page.click("text=Yes, Refund")
    assert "Refund sent as the caller: Success" in page.inner_text(".flash")
    assert "Back to the buyer" in page.inner_text("main") and "$0.20" in page.inner_text("main")
    page.goto(token_url)
    page.fill("#cancel-reason", "tester says so")
    page.click("text=Cancel this token…")
    page.click("text=Yes, CancelToken")
    assert "CancelToken sent as the caller" in page.inner_text(".flash")
    assert "Inactive" in page.inner_text("h1") and "tester says so" in page.inner_text("main")
    assert "InsufficientBalance" in page.inner_text("#refused ~ .table-wrap")
    assert control(own_server, "state")["books"]["balanced"] is True


def test_the_return_page_verifies_a_real_redirect(own_server, page):
    from sandbox.signature import hmac_sign, string_to_sign_v2

    values = {"callerKey": DD_KEY, "pipelineName": "SetupPrepaid", "version": "2009-01-09", "signatureVersion": "2",
              "signatureMethod": "HmacSHA256", "callerReferenceFunding": f"rf-{time.time_ns()}",
              "callerReferenceSender": f"rs-{time.time_ns()}", "fundingAmount": "5.00", "paymentMethod": "ABT",
              "returnURL": f"{own_server['url']}/merchant/return?order=7"}
    host = own_server["url"].split("//")[1]
    values["signature"] = hmac_sign(DD_SECRET, string_to_sign_v2("GET", host, "/cobranded-ui/actions/start", values,
                                                                  exclude="signature"))
    page.goto(f"{own_server['url']}/cobranded-ui/actions/start?{urlencode(values)}")
    page.fill("#email", "pat@example.com")
    page.fill("#password", "sandbox")
    page.click("button:has-text('Sign in')")
    assert page.is_checked("input[type=radio]")  # Pat's only method, chosen already
    page.click("button:has-text('Continue')")
    page.click("button:has-text('Confirm')")
    page.wait_for_url(re.compile(r".*/merchant/return\?.*"))
    assert "Signature verified" in page.inner_text("#verdict")
    assert "status=SA" in page.inner_text("h1")
    page.click("main a[href^='/admin/instruments/']")
    assert "Prepaid instrument" in page.inner_text("h1")


def test_the_ipn_catcher_shows_a_delivery_retried_after_a_refusal(own_server, page):
    message = run_recipe(page, own_server, "ipn-retried")
    assert "first delivery was answered 503" in message
    catcher = page.url

    def answers() -> list[str]:
        page.goto(catcher)
        return [re.search(r"answered (\d+)", t).group(1) + (" unverified" if "NOT verified" in t else "")
                for t in page.locator("details.caught summary").all_inner_texts()]

    deadline = time.time() + 20
    while answers() != ["503"] and time.time() < deadline:
        time.sleep(0.5)
    assert answers() == ["503"]
    control(own_server, "clock", {"forward_seconds": 60})  # past the first retry on the sandbox clock
    try:
        deadline = time.time() + 20
        while len(answers()) < 2 and time.time() < deadline:
            time.sleep(0.5)
        assert answers() == ["200", "503"]  # newest first, both verified
    finally:
        control(own_server, "clock", method="DELETE")


@pytest.mark.parametrize("name", ["declined-funding", "refund", "cancelled-token", "expired-instrument",
                                  "usage-limit", "special-tokens", "pending-then-failed-settlement"])
def test_each_recipe_yields_its_outcome_in_the_browser(own_server, page, name):
    words = {"declined-funding": "Failure", "refund": "Refund: Success", "cancelled-token": "TokenNotActive_Sender",
             "expired-instrument": "InstrumentExpired", "usage-limit": "TokenUsageError",
             "special-tokens": "AccountClosed", "pending-then-failed-settlement": "Pending now"}[name]
    assert words in run_recipe(page, own_server, name)


@pytest.fixture(scope="module")
def slow_server(tmp_path_factory):
    """A second server whose card and bank movements stay Pending for ten minutes: time to cancel one."""
    with serve(tmp_path_factory.mktemp("slow"), schema="fps_e2e_slow", FPS_PENDING_SECONDS="600") as server:
        yield server


def test_cancel_a_pending_settlement_from_the_console_alone(slow_server, page):
    message = run_recipe(page, slow_server, "pending-then-failed-settlement")
    assert "SettleDebt of $1.65: Pending now" in message
    assert "Pending" in page.inner_text("h1")
    page.fill("#cancel-reason", "buyer called")
    page.click("text=Cancel this transaction…")
    assert "Cancel this Pending SettleDebt?" in page.inner_text("main")
    page.click("text=Yes, Cancel")
    assert "Cancel sent as the caller: Cancelled" in page.inner_text(".flash")
    assert "Cancelled" in page.inner_text("h1") and "none: no money moved" in page.inner_text("main")
    assert control(slow_server, "state")["books"]["balanced"] is True
