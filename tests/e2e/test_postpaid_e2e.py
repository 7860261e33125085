"""The Daily Byte's story end to end: Rita opens a tab on the Co-Branded pages in Chromium,
then boto 2's FPS client charges 30 articles, settles, charges again, settles part and writes
off the rest; every figure to the cent, every limit refused."""

from __future__ import annotations

import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from boto.fps.exception import InsufficientBalance, SettleAmountGreaterThanDebt

from sandbox.compat.boto2 import connect
from e2e.test_story_e2e import boto_cbui_link, click_through

ROOT = Path(__file__).resolve().parents[2]
NEWS_KEY, NEWS_SECRET = "AKIAI44QH8DHBEXAMPLE", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"

pytestmark = pytest.mark.e2e


def debt(fps, instrument: str) -> Decimal:
    """GetDebtBalance through boto's signed transport; boto 2 has no parser class for its nested
    DebtBalance (its generic parser flattens it to a string), so the XML is read here."""
    response = fps.make_request("GetDebtBalance", {"CreditInstrumentId": instrument})
    assert response.status == 200
    root = ET.fromstring(response.read())
    ns = "{http://fps.amazonaws.com/doc/2010-08-28/}"
    assert root.tag == f"{ns}GetDebtBalanceResponse"
    return Decimal(root.find(f"{ns}GetDebtBalanceResult/{ns}DebtBalance/{ns}AvailableBalance/{ns}Value").text)


def wait_for_status(fps, transaction_id: str, seconds: float = 15) -> str:
    """Poll GetTransactionStatus, as an integration would, until the transaction leaves Pending."""
    deadline = time.time() + seconds
    while True:
        status = fps.get_transaction_status(TransactionId=transaction_id).GetTransactionStatusResult
        if status.TransactionStatus != "Pending" or time.time() > deadline:
            return status.TransactionStatus
        assert status.StatusCode == "PendingNetworkResponse"
        time.sleep(0.2)


def test_daily_byte_story(live_server, merchant, page):
    link = boto_cbui_link(live_server, merchant, key=NEWS_KEY, secret=NEWS_SECRET, pipeline="SetupPostpaid",
                          callerReferenceSender="rita-tab-1", callerReferenceSettlement="rita-settle-1",
                          creditLimit="20.00", globalAmountLimit="100.00", paymentMethod="CC",
                          paymentReason="Articles at <b>The Daily Byte</b>")
    click_through(page, link, "Mastercard ending in 4444", email="reader@example.com")
    assert page.inner_text("#status") == "SC"
    ret = dict(parse_qsl(urlsplit(merchant.received[-1]).query))
    assert ret["expiry"] == "10/2028"
    instrument, sender, settlement = ret["creditInstrumentID"], ret["creditSenderTokenID"], ret["settlementTokenID"]

    fps = connect("127.0.0.1", live_server["port"], NEWS_KEY, NEWS_SECRET)
    verified = fps.verify_signature(UrlEndPoint=f"{merchant.url}/fps/return",
                                    HttpParameters=urlsplit(merchant.received[-1]).query)
    assert verified.VerifySignatureResult.VerificationStatus == "Success"
    for article in range(1, 31):
        paid = fps.pay(SenderTokenId=sender, TransactionAmount="0.25", CallerReference=f"rita-article-{article}")
        assert paid.PayResult.TransactionStatus == "Success"
    assert debt(fps, instrument) == Decimal("7.50")
    total = fps.get_outstanding_debt_balance().GetOutstandingDebtBalanceResult.OutstandingDebt
    assert Decimal(total.OutstandingBalance.Value) == Decimal("7.50")

    settled = fps.settle_debt(CreditInstrumentId=instrument, SenderTokenId=settlement, SettlementAmount="7.50",
                              CallerReference="rita-settle-month-1")
    assert settled.SettleDebtResult.TransactionStatus == "Pending"  # a card: Pending first
    assert debt(fps, instrument) == Decimal("7.50")
    tid = settled.SettleDebtResult.TransactionId
    assert wait_for_status(fps, tid) == "Success"
    detail = fps.get_transaction(TransactionId=tid).GetTransactionResult.Transaction
    assert Decimal(detail.FPSFees.Value) == Decimal("0.43") and detail.PaymentMethod == "CC"
    assert debt(fps, instrument) == 0

    for article in range(31, 51):
        fps.pay(SenderTokenId=sender, TransactionAmount="0.25", CallerReference=f"rita-article-{article}")
    assert debt(fps, instrument) == Decimal("5.00")
    second = fps.settle_debt(CreditInstrumentId=instrument, SenderTokenId=settlement, SettlementAmount="3.00",
                             CallerReference="rita-settle-month-2")
    with pytest.raises(SettleAmountGreaterThanDebt):  # $3.00 of the $5.00 is already being settled
        fps.write_off_debt(CreditInstrumentId=instrument, AdjustmentAmount="2.01", CallerReference="too-much-now")
    assert wait_for_status(fps, second.SettleDebtResult.TransactionId) == "Success"
    with pytest.raises(SettleAmountGreaterThanDebt):
        fps.write_off_debt(CreditInstrumentId=instrument, AdjustmentAmount="2.01", CallerReference="too-much")
    written = fps.write_off_debt(CreditInstrumentId=instrument, AdjustmentAmount="2.00",
                                 CallerReference="rita-promotion")
    assert written.WriteOffDebtResult.TransactionStatus == "Success"
    assert debt(fps, instrument) == 0

    fps.pay(SenderTokenId=sender, TransactionAmount="20.00", CallerReference="rita-big")
    with pytest.raises(InsufficientBalance):
        fps.pay(SenderTokenId=sender, TransactionAmount="0.01", CallerReference="rita-over-limit")

    page.goto(live_server["url"] + "/admin/instruments")
    row = page.locator("tr", has_text="Rita Reader → The Daily Byte").first.inner_text()
    for figure in ("$20.00", "$100.00", "$10.50", "$2.00"):  # limits, settled, written off
        assert figure in row, (figure, row)
    page.locator("tr", has_text="Rita Reader → The Daily Byte").first.locator("a[href^='/admin/instruments/']").click()
    assert "Charged\n$32.50" in page.inner_text("dl.facts")  # debt + settled + written off
    flask = str(Path(sys.executable).parent / "flask")
    books = subprocess.run([flask, "--app", "app", "check-books"], cwd=ROOT, env=live_server["env"],
                           capture_output=True, text=True)
    assert books.returncode == 0, books.stdout
