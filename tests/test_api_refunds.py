"""Refund under the Aggregated rules: prepaid and debt Pays reverse, to the cent, in parts that add
up to the original; everything else is refused with its own error."""

import pytest
from sqlalchemy import func, select

from conftest import services_of
from sandbox.models import LedgerEntry


def amount(value, prefix="TransactionAmount"):
    return {f"{prefix}.Value": value, f"{prefix}.CurrencyCode": "USD"}


def pay(caller, token, value, ref):
    r = caller.call("Pay", SenderTokenId=token, CallerReference=ref, **amount(value))
    assert r.find("PayResult/TransactionStatus") == "Success", r.text
    return r.find("PayResult/TransactionId")


def refund(caller, tid, value=None, ref="refund-1", **extra):
    params = amount(value, "RefundAmount") if value else {}
    return caller.call("Refund", TransactionId=tid, CallerReference=ref, **params, **extra)


def prepaid_balance(fps, funded):
    return fps.call("GetPrepaidBalance", PrepaidInstrumentId=funded["prepaidInstrumentID"]).find(
        "GetPrepaidBalanceResult/PrepaidBalance/AvailableBalance/Value")


def debt(news, tab):
    return news.call("GetDebtBalance", CreditInstrumentId=tab["creditInstrumentID"]).find(
        "GetDebtBalanceResult/DebtBalance/AvailableBalance/Value")


def test_reversing_a_prepaid_pay_restores_the_balance_to_the_cent(app, fps, funded):
    tid = pay(fps, funded["prepaidSenderTokenID"], "0.37", "song")
    assert prepaid_balance(fps, funded) == "9.630000"
    r = refund(fps, tid)
    assert r.find("RefundResult/TransactionStatus") == "Success"
    refund_id = r.find("RefundResult/TransactionId")
    assert refund_id != tid and len(refund_id) == 35
    assert prepaid_balance(fps, funded) == "10.000000"
    detail = fps.call("GetTransaction", TransactionId=refund_id)
    get = lambda name: detail.find(f"GetTransactionResult/Transaction/{name}")  # noqa: E731
    assert get("FPSOperation") == "Refund" and get("PaymentMethod") == "Prepaid"
    assert get("TransactionAmount/Value") == "0.370000" and get("FPSFees/Value") == "0.000000"
    assert get("RelatedTransaction/TransactionId") == tid and get("RelatedTransaction/RelationType") == "Parent"
    original = fps.call("GetTransaction", TransactionId=tid)
    assert original.find("GetTransactionResult/Transaction/RelatedTransaction/TransactionId") == refund_id
    assert original.find("GetTransactionResult/Transaction/RelatedTransaction/RelationType") == "Refund"
    with services_of(app).storage.read() as conn:
        lines = conn.execute(select(func.count()).select_from(LedgerEntry).where(
            LedgerEntry.journal == refund_id)).scalar_one()
    assert lines == 2


def test_partial_refunds_add_up_to_the_original_and_no_more(fps, funded):
    tid = pay(fps, funded["prepaidSenderTokenID"], "1.00", "album")
    for n, value in enumerate(["0.25", "0.25", "0.40"]):
        assert refund(fps, tid, value, ref=f"r{n}").find("RefundResult/TransactionStatus") == "Success"
    over = refund(fps, tid, "0.11", ref="r-over")
    assert over.error_code == "RefundAmountExceeded" and "$0.10 left to refund" in over.error_message
    assert refund(fps, tid, ref="r-rest").find("RefundResult/TransactionStatus") == "Success"  # the last $0.10
    again = refund(fps, tid, ref="r-again")
    assert again.error_code == "TransactionFullyRefundedAlready"
    assert prepaid_balance(fps, funded) == "10.000000"


def test_reversing_a_debt_pay_lowers_the_debt(news, tab):
    tid = pay(news, tab["creditSenderTokenID"], "2.00", "article")
    pay(news, tab["creditSenderTokenID"], "1.00", "article-2")
    r = refund(news, tid, "0.50")
    assert r.find("RefundResult/TransactionStatus") == "Success"
    assert debt(news, tab) == "2.500000"
    detail = news.call("GetTransaction", TransactionId=r.find("RefundResult/TransactionId"))
    assert detail.find("GetTransactionResult/Transaction/PaymentMethod") == "Debt"


def test_settled_debt_cannot_be_reversed(news, tab):
    tid = pay(news, tab["creditSenderTokenID"], "2.00", "article")
    news.call("SettleDebt", SenderTokenId=tab["settlementTokenID"], CreditInstrumentId=tab["creditInstrumentID"],
              CallerReference="s", **amount("2.00", "SettlementAmount"))
    r = refund(news, tid)
    assert r.error_code == "RefundAmountExceeded" and "settled or written off cannot be reversed" in r.error_message


@pytest.mark.parametrize("operation", ["FundPrepaid", "SettleDebt", "WriteOffDebt", "Refund"])
def test_not_refundable(fps, news, funded, tab, operation):
    if operation == "FundPrepaid":
        caller = fps
        tid = fps.call("GetAccountActivity", StartDate="2000-01-01T00:00:00Z", FPSOperation="FundPrepaid").find(
            "GetAccountActivityResult/Transaction/TransactionId")
    else:
        caller = news
        paid = pay(news, tab["creditSenderTokenID"], "3.00", "a")
        tid = {
            "SettleDebt": lambda: news.call("SettleDebt", SenderTokenId=tab["settlementTokenID"],
                                            CreditInstrumentId=tab["creditInstrumentID"], CallerReference="s",
                                            **amount("1.00", "SettlementAmount")).find("SettleDebtResult/TransactionId"),
            "WriteOffDebt": lambda: news.call("WriteOffDebt", CreditInstrumentId=tab["creditInstrumentID"],
                                              CallerReference="w", **amount("1.00", "AdjustmentAmount")).find(
                "WriteOffDebtResult/TransactionId"),
            "Refund": lambda: refund(news, paid, "1.00", ref="first").find("RefundResult/TransactionId"),
        }[operation]()
    r = refund(caller, tid, ref="no")
    assert (r.status, r.error_code) == (400, "TransactionTypeNotRefundable"), r.text


def test_refund_idempotency_and_duplicates(fps, funded):
    tid = pay(fps, funded["prepaidSenderTokenID"], "1.00", "song")
    first = refund(fps, tid, "0.50", ref="same")
    again = refund(fps, tid, "0.50", ref="same")
    assert again.find("RefundResult/TransactionId") == first.find("RefundResult/TransactionId")
    assert refund(fps, tid, "0.40", ref="same").error_code == "DuplicateRequest"
    assert prepaid_balance(fps, funded) == "9.500000"


def test_refund_of_someone_elses_or_unknown_transaction(fps, news, funded):
    tid = pay(fps, funded["prepaidSenderTokenID"], "1.00", "song")
    assert refund(news, tid).error_code == "InvalidTransactionId"
    assert refund(fps, "14" + "X" * 33).error_code == "InvalidTransactionId"
    r = refund(fps, "FAKE-ID")
    assert r.error_code == "InvalidParams" and "transactionId has to be a valid transaction ID" in r.error_message


@pytest.mark.parametrize("value, code", [("0.00", "AmountOutOfRange"), ("x", "InvalidParams")])
def test_bad_refund_amounts(fps, funded, value, code):
    tid = pay(fps, funded["prepaidSenderTokenID"], "1.00", "song")
    assert refund(fps, tid, value).error_code == code
    assert refund(fps, tid, MarketplaceRefundPolicy="Everything").error_code == "InvalidParams"


def test_cancelled_token_does_not_block_a_reversal(fps, funded):
    tid = pay(fps, funded["prepaidSenderTokenID"], "1.00", "song")
    fps.call("CancelToken", TokenId=funded["prepaidSenderTokenID"])
    assert refund(fps, tid).find("RefundResult/TransactionStatus") == "Success"
    assert prepaid_balance(fps, funded) == "10.000000"
