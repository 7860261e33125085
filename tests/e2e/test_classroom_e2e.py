"""The classroom in Chromium on a live server: a roster typed into the form, the printable roster, calls
with the key the roster printed, the student's page, the class overview and a sandbox's coverage, the
switcher into a student's sandbox, then delete every sandbox; each page passes the accessibility audit."""

from __future__ import annotations

import re
import time
import urllib.parse
import urllib.request

import pytest

from e2e.test_accessibility_e2e import audit

pytestmark = pytest.mark.e2e


def signed_get(url: str, key: str, secret: str, action: str) -> str:
    from datetime import datetime, timezone

    from sandbox.signature import hmac_sign, string_to_sign_v2

    values = {"Action": action, "AWSAccessKeyId": key, "Version": "2008-09-17", "SignatureVersion": "2",
              "SignatureMethod": "HmacSHA256", "Timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    values["Signature"] = hmac_sign(secret, string_to_sign_v2("GET", url.split("//")[1], "/", values))
    try:
        with urllib.request.urlopen(f"{url}/?{urllib.parse.urlencode(values)}", timeout=10) as answer:
            return answer.read().decode()
    except urllib.error.HTTPError as err:
        return err.read().decode()


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 720)])
def test_a_class_made_switched_into_and_deleted_in_the_browser(own_server, browser, width, height):
    url = own_server["url"]
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{url}/admin/classroom")
    page.fill("#names", "Ada Lovelace\nAlan Turing")
    page.select_option("#lesson", "lesson-1-prepaid")
    page.click("button:has-text('Create the sandboxes')")
    page.wait_for_url("**/admin/classroom")
    found = {"classroom": audit(page)}
    assert "Created 2 sandbox(es): ada-lovelace, alan-turing" in page.inner_text("body")
    page.click("text=Printable roster of every sandbox")
    page.wait_for_url("**/classroom/roster")
    found["roster"] = audit(page)
    sheet = page.inner_text("#sheet-ada-lovelace >> xpath=..")
    key, secret = re.search(r"DigitalDownload\s+(AKSB[A-Z0-9]{16})\s+(\S{40})", sheet).groups()
    assert "<GetAccountBalanceResponse" in signed_get(url, key, secret, "GetAccountBalance")
    assert "<Code>InvalidParams</Code>" in signed_get(url, key, secret, "Pay")  # no parameters: an error met
    deadline = time.time() + 5  # reads and refusals are logged within a second (each server writes its own)
    while True:
        page.goto(f"{url}/admin/classroom/overview")
        row = page.inner_text("tr:has-text('Ada Lovelace')")
        if re.search(r"\b2\s+1\b", row) or time.time() > deadline:
            break
        time.sleep(0.2)
    assert re.search(r"\b2\s+1\b", row), row  # two requests, one error
    found["overview"] = audit(page)
    page.click("a[aria-label^='Coverage of ada-lovelace']")
    page.wait_for_url("**/classroom/ada-lovelace/coverage")
    found["coverage"] = audit(page)
    assert "Still unmet" in page.inner_text("body")
    student = re.search(r"/student/ada-lovelace/[0-9a-f]{32}", sheet).group(0)
    page.goto(url + student)
    found["student page"] = audit(page)
    assert key in page.inner_text("body") and "Pay" in page.inner_text("table >> nth=-1")
    page.goto(f"{url}/admin/")
    page.select_option("#sandbox-switch", "ada-lovelace")
    page.click(".switcher button")
    page.wait_for_url("**/admin/?sandbox=ada-lovelace")
    found["dashboard in a sandbox"] = audit(page)
    assert "You are in the sandbox ada-lovelace" in page.inner_text(".sandbox-banner")
    page.click("nav >> text=Transactions")
    page.wait_for_url("**/admin/transactions?sandbox=ada-lovelace")
    assert page.locator("table a.id").count() == 6  # the lesson's funding and five Pays, nobody else's
    page.goto(f"{url}/admin/classroom")
    page.click("button:has-text('Delete every sandbox')")
    page.click("button:has-text('Yes, delete every sandbox of the class')")
    page.wait_for_url("**/admin/classroom")
    assert "No sandbox yet" in page.inner_text("body")
    assert "InvalidClientTokenId" in signed_get(url, key, secret, "GetAccountBalance")
    assert {name: problems for name, problems in found.items() if problems} == {}
