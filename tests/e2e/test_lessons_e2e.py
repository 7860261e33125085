"""Both guided lessons end to end in Chromium against gunicorn, at phone and projector width: only clicks,
nothing scrolls sideways, no request leaves the sandbox, a screenshot of every step in test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
STEPS = {"prepaid": 8, "postpaid": 7}
FIGURES = {("prepaid", 3): [("fees_paid", "$0.30"), ("merchant_balance", "$9.70"), ("prepaid_balance", "$10.00")],
           ("prepaid", 5): [("prepaid_balance", "$0.00")], ("prepaid", 7): [("prepaid_balance", "$0.50")],
           ("postpaid", 3): [("debt", "$2.00")], ("postpaid", 5): [("fees_paid", "$0.15"), ("debt", "$0.00")],
           ("postpaid", 7): [("debt", "$0.00")]}


def after(page, key: str) -> str:
    return page.locator(f"#money tr[data-key={key}] td").nth(2).inner_text().strip()


@pytest.mark.parametrize("lesson", ["prepaid", "postpaid"])
@pytest.mark.parametrize("width, height", [(390, 844), (1280, 720)])
def test_a_whole_lesson_with_clicks_only(live_server, browser, lesson, width, height):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server["url"]) else None)
    page.goto(f"{live_server['url']}/admin/lessons")
    page.click(f"#start-{lesson}")
    page.wait_for_url("**/1")
    for n in range(1, STEPS[lesson] + 1):
        assert f"{n}." in page.inner_text("h1"), page.inner_text("h1")
        if page.locator("#open-cbui").count():
            page.click("#open-cbui")
            page.locator("form.demo-login button").last.click()  # the lesson's own buyer: the newest
            page.click("button:has-text('Continue')")
            page.click("button:has-text('Confirm')")
            page.wait_for_url(f"**/{n + 1}")
            page.click("text=← Previous")
            page.wait_for_url(f"**/{n}")
            assert "signature verified" in page.inner_text("main")
        elif page.locator("#do-step").count():
            page.click("#do-step")
            page.locator("#money").wait_for(timeout=10_000)  # the step's page after its POST and redirect
            assert page.locator("main p.error").count() == 0, page.inner_text("main")[:500]  # only errors it expects
        for key, value in FIGURES.get((lesson, n), []):
            assert after(page, key) == value, (lesson, n, key)
        page.wait_for_load_state()  # styled: an unstyled page may be wider than the screen
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"step {n} scrolls sideways by {overflow}px at {width}px"
        page.screenshot(path=str(ARTIFACTS / f"lesson-{lesson}-{n}-{width}.png"), full_page=True)
        if n < STEPS[lesson]:
            page.click("#next")
            page.wait_for_url(f"**/{n + 1}")  # else the next h1 read may still see this step
    assert "who talked to whom" in page.inner_text("main")
    assert outside == []
    context.close()


def test_presenter_mode_reads_on_a_projector(live_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(f"{live_server['url']}/admin/lessons")
    page.click("text=Start in presenter mode >> nth=0")
    page.wait_for_url("**/1?present=1")  # loaded, its stylesheet too: else the type is read unstyled
    assert page.evaluate("document.body.className") == "present"
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.lesson-words')).fontSize)")
    assert size >= 22
    page.click("#next")
    page.wait_for_url("**/2?present=1")  # the click only starts the navigation; read the page it ends on
    assert page.evaluate("document.body.className") == "present"  # kept from step to step
    page.screenshot(path=str(ARTIFACTS / "lesson-presenter-1280.png"))
    context.close()
