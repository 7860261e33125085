"""The console in Chromium at phone and desktop width: every main page renders, nothing scrolls the
page sideways (wide tables scroll inside their boxes), screenshots for a person to look at."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
PAGES = ["", "accounts", "transactions", "instruments", "tokens", "ledger", "notifications", "ipn-settings", "requests",
         "faults", "codes", "playground", "recipes", "fees", "lab"]

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 800)])
def test_console_pages_fit(live_server, browser, width, height):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    for name in PAGES:
        response = page.goto(f"{live_server['url']}/admin/{name}")
        assert response.status == 200, name
        assert "SANDBOX — no real money moves here." in page.inner_text(".banner")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"/admin/{name} scrolls sideways by {overflow}px at {width}px"
        page.screenshot(path=str(ARTIFACTS / f"console-{name or 'dashboard'}-{width}.png"), full_page=True)
    context.close()


def test_console_makes_no_external_requests(live_server, browser):
    context = browser.new_context()
    page = context.new_page()
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server["url"]) else None)
    for name in PAGES:
        page.goto(f"{live_server['url']}/admin/{name}")
    context.close()
    assert outside == []


HOSTILE = "<script>window.pwned=1</script><img src=x onerror=window.pwned=2>"


def _shoot(page, name: str) -> None:
    """Screenshots of the page at phone and desktop width, checking neither scrolls sideways."""
    for width, height in ((390, 844), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
        page.screenshot(path=str(ARTIFACTS / f"console-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def _flash(page) -> str:
    """The page's flash messages only (the faults page's own heading says "Armed faults")."""
    return " ".join(page.locator(".flash").all_inner_texts())


def test_console_answers_what_happened_and_controls_the_sandbox(live_server, merchant, page):
    """A tester follows one payment from the dashboard to its token, instrument, buyer, ledger book,
    request and notification; hostile descriptions never run; a fault, the clock, a snapshot and a
    reset are each one click. Ends with a reset, so the other stories start from the demo world."""
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        _walk_and_control(live_server, merchant, page)
    finally:  # the other stories expect the demo world, whatever happened here
        flask = str(Path(sys.executable).parent / "flask")
        subprocess.run([flask, "--app", "app", "reset", "--yes"], cwd=ROOT, env=live_server["env"], check=True,
                       capture_output=True)


def _walk_and_control(live_server, merchant, page) -> None:
    from sandbox.compat.boto2 import connect

    from .test_story_e2e import DD_KEY, DD_SECRET, boto_cbui_link, click_through

    base = live_server["url"] + "/admin"
    link = boto_cbui_link(live_server, merchant, fundingAmount="10.00", callerReferenceFunding="console-fund",
                          callerReferenceSender="console-sender", paymentMethod="ABT", paymentReason=HOSTILE)
    click_through(page, link)
    from urllib.parse import parse_qsl, urlsplit

    ret = dict(parse_qsl(urlsplit(merchant.received[-1]).query))
    fps = connect("127.0.0.1", live_server["port"], DD_KEY, DD_SECRET)
    fps.fund_prepaid(PrepaidInstrumentId=ret["prepaidInstrumentID"], SenderTokenId=ret["fundingTokenID"],
                     FundingAmount="10.00", CallerReference="console-fund-call")
    paid = fps.pay(SenderTokenId=ret["prepaidSenderTokenID"], TransactionAmount="0.25", CallerReference="console-song",
                   CallerDescription=HOSTILE).PayResult.TransactionId

    # what happened to this payment: search it, then walk its neighbours by clicking
    page.goto(base + "/transactions")
    page.fill("input[name=q]", paid)
    page.click("form.card button[type=submit]")
    assert page.url.endswith(f"/admin/transactions/{paid}")
    assert HOSTILE in page.inner_text("main") and page.evaluate("window.pwned") is None
    _shoot(page, "transaction")
    page.click(f"a[href='/admin/tokens/{ret['prepaidSenderTokenID']}']")
    assert "PrepaidSender token" in page.inner_text("h1") and page.evaluate("window.pwned") is None
    _shoot(page, "token")
    page.click(f"a[href='/admin/instruments/{ret['prepaidInstrumentID']}']")
    assert "$9.75" in page.inner_text("main")
    _shoot(page, "instrument")
    page.click("a[href^='/admin/ledger?book=prepaid']")
    assert "Lines of prepaid instrument" in page.inner_text("main")
    _shoot(page, "ledger-book")
    page.goto(base + f"/transactions/{paid}")
    page.click("h2:has-text('API requests') + .table-wrap a[href^='/admin/requests/']")
    assert "PayResponse" in page.inner_text("main")
    page.goto(base + f"/transactions/{paid}")
    page.click("svg.sequence a:has-text('Pay')")  # the diagram's arrow opens the same logged request
    assert "PayResponse" in page.inner_text("main")
    page.goto(base + f"/transactions/{paid}")
    page.click("a[href^='/admin/accounts/']:has-text('John Smith')")
    assert "Instruments held" in page.inner_text("main")
    _shoot(page, "account")
    page.goto(base + "/accounts")
    _shoot(page, "accounts")
    page.goto(base + "/tokens")
    _shoot(page, "tokens")

    # control: arm a fault, see it fire, disarm it
    page.goto(base + "/faults")
    page.select_option("#action", "Pay")
    page.select_option("#error_code", "AccountLimitsExceeded")  # a 4xx: boto retries 5xx by itself
    page.fill("#count", "1")
    page.click("button[value=Arm]")
    assert "Armed fault" in _flash(page)
    from boto.exception import BotoServerError

    with pytest.raises(BotoServerError) as refused:
        fps.pay(SenderTokenId=ret["prepaidSenderTokenID"], TransactionAmount="0.25", CallerReference="console-fault")
    assert refused.value.error_code == "AccountLimitsExceeded"
    page.goto(base + "/requests?errors=1")
    for _ in range(20):  # each server process writes its log down once a second
        if "AccountLimitsExceeded" in page.inner_text("main"):
            break
        page.wait_for_timeout(250)
        page.reload()
    assert "AccountLimitsExceeded" in page.inner_text("main")
    page.goto(base + "/faults")
    row = page.locator("tbody tr").first.inner_text()
    assert "AccountLimitsExceeded" in row and "\t0\t" in row  # one call: used up
    page.click("button[value=disarm-all]")
    assert "Disarmed 1 fault(s)" in _flash(page) and "No faults armed" in page.inner_text("main")

    # the clock, a snapshot, a reset and the restore
    page.goto(base + "/")
    page.fill("#amount", "2")
    page.select_option("#unit", "days")
    page.click("button[value=move]")
    assert "ahead of" in page.inner_text("main")
    page.click("button[name=reset][value='1']")
    assert "(real time)" in page.inner_text("main")
    page.fill("input[name=name]", "console-lesson")
    page.click("button[name=save]")
    assert "Saved snapshot 'console-lesson'" in _flash(page)
    page.click("button[value=reset]")
    assert "Reset: are you sure?" in page.inner_text("h1")
    page.click("text=Yes, reset to the demo world")
    assert "back to the demo world" in _flash(page)
    page.goto(base + "/transactions")
    assert "No transactions yet" in page.inner_text("main")
    page.goto(base + "/")
    page.locator("form", has_text="console-lesson").locator("button[name=restore]").click()
    page.click("text=Yes, restore 'console-lesson'")
    assert "Restored snapshot 'console-lesson'" in _flash(page)
    page.goto(base + f"/transactions/{paid}")
    assert "$0.25" in page.inner_text("main")
    page.goto(base + "/")
    page.click("button[value=reset]")
    page.click("text=Yes, reset to the demo world")
    assert "back to the demo world" in _flash(page)


def test_phone_layout_inputs_nav_and_ids(own_server, browser):
    """At 390 px: the search box is as tall as the selects beside it, the navigation is one row (it scrolls
    sideways inside itself), the current page is marked, and a transaction id takes one line."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{own_server['url']}/admin/recipes")
    page.click("#recipe-refund")
    page.goto(f"{own_server['url']}/admin/transactions")
    search = page.locator("input[type=search]").first.bounding_box()
    select = page.locator("select").first.bounding_box()
    assert search["height"] >= 44 and abs(search["height"] - select["height"]) <= 2, (search, select)
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('input[type=search]')).fontSize)") >= 15
    nav = page.locator("header.top nav").bounding_box()
    assert nav["height"] < 60, nav  # one row
    assert page.locator("nav a[aria-current=page]").inner_text() == "Transactions"
    first_id = page.locator("table a.id").first
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('table a.id')).lineHeight) || 20")
    assert first_id.bounding_box()["height"] <= line * 1.5
    status = page.locator("table .badge").first.bounding_box()
    assert status["x"] + status["width"] <= 390  # Status is on screen without scrolling
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    context.close()
