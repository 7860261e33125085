"""The console in Chromium at phone and desktop width: every main page renders, nothing scrolls the
page sideways (wide tables scroll inside their boxes), screenshots for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
PAGES = ["", "transactions", "instruments", "ledger", "notifications", "ipn-settings", "requests", "faults",
         "playground"]

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
