"""The DigitalDownload story end to end: a real server, John clicking through the Co-Branded
pages in headless Chromium, then boto 2's published FPS client funding the instrument and
buying 20 songs at $0.50, the 21st refused, the books checked by the server's own CLI."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from sandbox.compat.boto2 import connect

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
DD_KEY, DD_SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

pytestmark = pytest.mark.e2e


def boto_cbui_link(live_server, merchant, key=DD_KEY, secret=DD_SECRET, pipeline="SetupPrepaid",
                   return_query="order=42", **params) -> str:
    """boto's own cbui_url, signed for Amazon's sandbox host, re-pointed at the local sandbox."""
    from sandbox.compat.boto2 import load_fps_connection

    amazon = load_fps_connection().FPSConnection(aws_access_key_id=key, aws_secret_access_key=secret)
    link = amazon.cbui_url(returnURL=f"{merchant.url}/fps/return?{return_query}", pipelineName=pipeline, **params)
    assert link.startswith("https://authorize.payments-sandbox.amazon.com/cobranded-ui/actions/start?")
    return live_server["url"] + link[len("https://authorize.payments-sandbox.amazon.com"):]


def click_through(page, link: str, method_text: str = "Amazon Payments balance", email="john@example.com") -> None:
    page.goto(link)
    page.fill("#email", email)
    page.fill("#password", "sandbox")
    page.click("button[name=submit]")
    page.get_by_text(method_text).click()
    page.click("button[name=submit]")
    page.wait_for_selector("button[name=confirm]")
    page.click("button[name=confirm]")
    page.wait_for_selector("#status")


def prepaid_balance(fps, instrument_id: str) -> Decimal:
    r = fps.get_prepaid_balance(PrepaidInstrumentId=instrument_id)
    return Decimal(r.GetPrepaidBalanceResult.PrepaidBalance.AvailableBalance.Value)


def test_digitaldownload_story(live_server, merchant, page):
    link = boto_cbui_link(live_server, merchant, fundingAmount="10.00", callerReferenceFunding="dd-fund-1",
                          callerReferenceSender="dd-sender-1", paymentMethod="ABT,CC,ACH",
                          paymentReason="<b>MP3</b> songs at DigitalDownload")
    click_through(page, link)
    assert page.inner_text("#status") == "SA"
    back = merchant.received[-1]
    ret = dict(parse_qsl(urlsplit(back).query))
    assert ret["order"] == "42" and ret["signatureMethod"] == "RSA-SHA1"

    fps = connect("127.0.0.1", live_server["port"], DD_KEY, DD_SECRET)
    verified = fps.verify_signature(UrlEndPoint=f"{merchant.url}/fps/return", HttpParameters=urlsplit(back).query)
    assert verified.VerifySignatureResult.VerificationStatus == "Success"
    tampered = urlsplit(back).query.replace("status=SA", "status=SB")
    assert fps.verify_signature(UrlEndPoint=f"{merchant.url}/fps/return",
                                HttpParameters=tampered).VerifySignatureResult.VerificationStatus == "Failure"

    instrument = ret["prepaidInstrumentID"]
    assert prepaid_balance(fps, instrument) == Decimal("0")
    funding = fps.fund_prepaid(PrepaidInstrumentId=instrument, SenderTokenId=ret["fundingTokenID"],
                               FundingAmount="10.00", CallerReference="dd-fund-call-1")
    assert funding.FundPrepaidResult.TransactionStatus == "Success"
    assert prepaid_balance(fps, instrument) == Decimal("10")
    detail = fps.get_transaction(TransactionId=funding.FundPrepaidResult.TransactionId).GetTransactionResult.Transaction
    assert Decimal(detail.FPSFees.Value) == Decimal("0.30") and detail.PaymentMethod == "ABT"

    for song in range(1, 21):
        paid = fps.pay(SenderTokenId=ret["prepaidSenderTokenID"], TransactionAmount="0.50",
                       CallerReference=f"dd-song-{song}")
        assert paid.PayResult.TransactionStatus == "Success"
        assert prepaid_balance(fps, instrument) == Decimal("10") - Decimal("0.50") * song
    liability = fps.get_total_prepaid_liability().GetTotalPrepaidLiabilityResult.OutstandingPrepaidLiability
    assert Decimal(liability.OutstandingBalance.Value) == 0

    from boto.fps.exception import InsufficientBalance

    with pytest.raises(InsufficientBalance) as refused:
        fps.pay(SenderTokenId=ret["prepaidSenderTokenID"], TransactionAmount="0.50", CallerReference="dd-song-21")
    assert refused.value.status == 400
    status = fps.get_transaction_status(TransactionId=paid.PayResult.TransactionId).GetTransactionStatusResult
    assert status.TransactionStatus == "Success" and status.CallerReference == "dd-song-20"

    page.goto(live_server["url"] + "/admin/transactions?operation=FundPrepaid")
    row = page.locator("tr", has_text="FundPrepaid").first.inner_text()
    assert "$10.00" in row and "$0.30" in row and "$9.70" in row
    page.goto(live_server["url"] + "/admin/")
    assert "Balanced" in page.inner_text("body")

    flask = str(Path(sys.executable).parent / "flask")
    books = subprocess.run([flask, "--app", "app", "check-books"], cwd=ROOT, env=live_server["env"],
                           capture_output=True, text=True)
    assert books.returncode == 0 and "The books balance." in books.stdout, books.stdout


def test_cancel_and_payment_method_error_in_the_browser(live_server, merchant, page):
    link = boto_cbui_link(live_server, merchant, fundingAmount="5.00", callerReferenceFunding="dd-fund-2",
                          callerReferenceSender="dd-sender-2")
    page.goto(link)
    page.click("button[name=cancel]")
    page.wait_for_selector("#status")
    assert page.inner_text("#status") == "A"
    link = boto_cbui_link(live_server, merchant, fundingAmount="5.00", callerReferenceFunding="dd-fund-3",
                          callerReferenceSender="dd-sender-3", paymentMethod="CC")
    page.goto(link)
    page.fill("#email", "pat@example.com")
    page.fill("#password", "sandbox")
    page.click("button[name=submit]")
    page.wait_for_selector("#status")
    assert page.inner_text("#status") == "PE"


def test_bad_signature_page_in_the_browser(live_server, merchant, page):
    link = boto_cbui_link(live_server, merchant, fundingAmount="5.00", callerReferenceFunding="x",
                          callerReferenceSender="y").replace("fundingAmount=5.00", "fundingAmount=50.00")
    response = page.goto(link)
    assert response.status == 403
    assert "Invalid signature" in page.inner_text("h1") and "fundingAmount=50.00" in page.inner_text("pre")


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 800)])
def test_cobranded_pages_fit_phone_and_desktop(live_server, merchant, browser, width, height):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    link = boto_cbui_link(live_server, merchant, fundingAmount="10.00", callerReferenceFunding=f"w{width}",
                          callerReferenceSender=f"ws{width}", paymentMethod="ABT,CC,ACH",
                          paymentReason="<b>MP3</b> songs at <i>DigitalDownload</i>")
    page.goto(link)
    page.screenshot(path=str(ARTIFACTS / f"cbui-sign-in-{width}.png"), full_page=True)
    page.fill("#email", "john@example.com")
    page.fill("#password", "sandbox")
    page.click("button[name=submit]")
    page.screenshot(path=str(ARTIFACTS / f"cbui-method-{width}.png"), full_page=True)
    page.get_by_text("Visa ending in 1111").click()
    page.click("button[name=submit]")
    page.wait_for_selector("text=Confirm your prepaid balance")
    page.wait_for_load_state()  # its stylesheet too, before measuring the layout
    page.screenshot(path=str(ARTIFACTS / f"cbui-confirm-{width}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the confirm page scrolls sideways by {overflow}px at {width}px"
    box = page.locator("button[name=confirm]").bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= width
    page.click("button[name=confirm]")
    page.wait_for_selector("#status")
    assert page.inner_text("#status") == "SC"
    page.goto(live_server["url"] + "/admin/")
    page.screenshot(path=str(ARTIFACTS / f"admin-dashboard-{width}.png"), full_page=True)
    context.close()


def test_background_worker_completes_a_card_funding_without_any_call(live_server, merchant, page):
    """Nobody asks: the server's own worker turns the Pending funding into Success (seen in its database)."""
    import time

    from sqlalchemy import create_engine, text

    link = boto_cbui_link(live_server, merchant, fundingAmount="5.00", callerReferenceFunding="bg-fund",
                          callerReferenceSender="bg-sender", paymentMethod="CC")
    click_through(page, link, "Visa ending in 1111")
    ret = dict(parse_qsl(urlsplit(merchant.received[-1]).query))
    fps = connect("127.0.0.1", live_server["port"], DD_KEY, DD_SECRET)
    funding = fps.fund_prepaid(PrepaidInstrumentId=ret["prepaidInstrumentID"], SenderTokenId=ret["fundingTokenID"],
                               FundingAmount="5.00", CallerReference="bg-fund-call")
    assert funding.FundPrepaidResult.TransactionStatus == "Pending"
    url = live_server["env"]["FPS_SANDBOX_SQLALCHEMY_DATABASE_URI"].replace("postgresql://", "postgresql+psycopg://")
    assert "search_path%3Dfps_e2e" in url or url.startswith("sqlite")
    engine = create_engine(url)
    query = text("SELECT status FROM fps_transaction WHERE transaction_id = :t")
    try:
        deadline = time.time() + 10
        while time.time() < deadline:
            with engine.connect() as conn:
                found = conn.execute(query, {"t": funding.FundPrepaidResult.TransactionId}).scalar_one()
            if found != "Pending":
                break
            time.sleep(0.25)
    finally:
        engine.dispose()
    assert found == "Success"


def test_lifecycle_through_boto(live_server, merchant, page):
    """A reversal restores the prepaid balance to the cent; a cancelled token is refused; look-ups work."""
    from boto.fps.exception import TokenNotActive_Sender

    link = boto_cbui_link(live_server, merchant, fundingAmount="10.00", callerReferenceFunding="life-fund",
                          callerReferenceSender="life-sender", paymentMethod="ABT")
    click_through(page, link)
    ret = dict(parse_qsl(urlsplit(merchant.received[-1]).query))
    fps = connect("127.0.0.1", live_server["port"], DD_KEY, DD_SECRET)
    fps.fund_prepaid(PrepaidInstrumentId=ret["prepaidInstrumentID"], SenderTokenId=ret["fundingTokenID"],
                     FundingAmount="10.00", CallerReference="life-fund-call")
    paid = fps.pay(SenderTokenId=ret["prepaidSenderTokenID"], TransactionAmount="3.33", CallerReference="life-pay")
    assert prepaid_balance(fps, ret["prepaidInstrumentID"]) == Decimal("6.67")
    refund = fps.refund(TransactionId=paid.PayResult.TransactionId, CallerReference="life-refund",
                        RefundAmount="3.33")
    assert refund.RefundResult.TransactionStatus == "Success"
    assert prepaid_balance(fps, ret["prepaidInstrumentID"]) == Decimal("10.00")

    # boto 2 has no parser class for Token: its generic parser puts the Token's fields on the Result
    token = fps.get_token_by_caller(CallerReference="life-sender").GetTokenByCallerResult
    assert token.TokenId == ret["prepaidSenderTokenID"] and token.TokenStatus == "Active"
    fps.cancel_token(TokenId=ret["prepaidSenderTokenID"], ReasonText="lost card")
    with pytest.raises(TokenNotActive_Sender) as refused:
        fps.pay(SenderTokenId=ret["prepaidSenderTokenID"], TransactionAmount="1.00", CallerReference="life-after")
    assert refused.value.status == 400
    token = fps.get_token_by_caller(TokenId=ret["prepaidSenderTokenID"]).GetTokenByCallerResult
    assert token.TokenStatus == "Inactive"

    balance = fps.get_account_balance().GetAccountBalanceResult.AccountBalance
    assert Decimal(balance.AvailableBalances.DisburseBalance.Value) >= Decimal("9.70")
    activity = fps.get_account_activity(StartDate="2000-01-01T00:00:00Z", FPSOperation="Refund")
    rows = activity.GetAccountActivityResult.Transaction
    assert [r.TransactionId for r in rows] == [refund.RefundResult.TransactionId]
