"""An automated accessibility audit (axe-core, bundled with axe-playwright-python: nothing is fetched) of the
Co-Branded pages, the console's main pages and the merchant inbox, at phone and desktop width: no serious
or critical violation."""

from __future__ import annotations

import re
import time
import urllib.request
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.e2e
DD_KEY, DD_SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
WIDTHS = [(390, 844), (1280, 720)]
CONSOLE = ["", "accounts", "transactions", "instruments", "tokens", "ledger", "notifications", "ipn-settings",
           "requests", "recipes", "playground", "faults", "codes", "fees", "lab", "no-such-page"]


def audit(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state()  # a click only starts its navigation; audit the page it ends on
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def start_link(own_server) -> str:
    from sandbox.signature import hmac_sign, string_to_sign_v2

    values = {"callerKey": DD_KEY, "pipelineName": "SetupPrepaid", "version": "2009-01-09",
              "signatureVersion": "2", "signatureMethod": "HmacSHA256",
              "callerReferenceFunding": f"a11y-f-{time.time_ns()}", "callerReferenceSender": f"a11y-s-{time.time_ns()}",
              "fundingAmount": "5.00", "returnURL": f"{own_server['url']}/merchant/return"}
    host = own_server["url"].split("//")[1]
    values["signature"] = hmac_sign(DD_SECRET, string_to_sign_v2("GET", host, "/cobranded-ui/actions/start", values,
                                                                  exclude="signature"))
    return f"{own_server['url']}/cobranded-ui/actions/start?{urlencode(values)}"


@pytest.mark.parametrize("width, height", WIDTHS)
def test_the_cobranded_pages_and_the_return_page_pass_the_audit(own_server, browser, width, height):
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    found = {}
    page.goto(start_link(own_server))
    found["sign-in"] = audit(page)
    page.click("button:has-text('Sign in')")  # empty: the field errors
    found["sign-in errors"] = audit(page)  # waits for the page
    assert page.evaluate("document.activeElement.id") == "email"  # focus moved to the first bad field
    page.fill("#email", "john@example.com")
    page.fill("#password", "sandbox")
    page.click("button:has-text('Sign in')")
    found["method"] = audit(page)
    page.check("input[type=radio] >> nth=0")
    page.click("button:has-text('Continue')")
    found["confirm"] = audit(page)
    page.click("button:has-text('Confirm')")
    page.wait_for_url(re.compile(r".*/merchant/return\?.*"))
    found["merchant return"] = audit(page)
    bad = [f"{name}: {problem}" for name, problems in found.items() for problem in problems]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("width, height", WIDTHS)
def test_the_console_pages_pass_the_audit(own_server, browser, width, height):
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{own_server['url']}/admin/recipes")
    page.click("#recipe-insufficient-balance")  # a token page, with transactions and a refused call
    found = {"token": audit(page)}
    page.locator("table a.id").first.click()
    found["transaction"] = audit(page)
    page.click("text=Refund…")
    found["confirm"] = audit(page)
    page.go_back()
    page.locator("a[href^='/admin/instruments/']").first.click()
    found["instrument"] = audit(page)
    for name in CONSOLE:
        page.goto(f"{own_server['url']}/admin/{name}")
        found[name or "dashboard"] = audit(page)
    page.goto(f"{own_server['url']}/merchant/")
    found["merchant inbox"] = audit(page)
    urllib.request.urlopen(urllib.request.Request(f"{own_server['url']}/merchant/ipn/audit", data=b"a=1&b=2"), timeout=10)
    page.goto(f"{own_server['url']}/merchant/ipn/audit")
    found["IPN catcher"] = audit(page)
    page.goto(f"{own_server['url']}/admin/lab?price=abc")
    found["fee lab, a bad input"] = audit(page)
    page.goto(f"{own_server['url']}/admin/lessons")
    found["lessons"] = audit(page)
    page.click("#start-prepaid")
    found["lesson intro"] = audit(page)
    page.click("#next")
    found["lesson Co-Branded step"] = audit(page)
    page.click("#open-cbui")
    page.locator("form.demo-login button").last.click()
    page.click("button:has-text('Continue')")
    page.click("button:has-text('Confirm')")
    page.wait_for_url("**/3")
    page.click("#do-step")
    found["lesson step done (request, response, money)"] = audit(page)
    bad = [f"{name}: {problem}" for name, problems in found.items() for problem in problems]
    assert not bad, "\n".join(bad)
