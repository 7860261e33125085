"""Asynchronous outcomes: card and bank money movements are Pending until the configured delay has
passed on the sandbox clock, then Success; ABT is immediate; Cancel ends a Pending one; every step
is kept as StatusHistory."""

from datetime import timedelta

import pytest

from conftest import NEWS_KEY, NEWS_SECRET, postpaid_params, prepaid_params, services_of
from sandbox.domain.clock import FixedClock, utcnow


@pytest.fixture
def app_config(app_config):
    return {**app_config, "FPS_PENDING_SECONDS": 5}


@pytest.fixture
def clock(app):
    clock = FixedClock(utcnow())
    services_of(app).clock = clock
    return clock


def amount(value, prefix="TransactionAmount"):
    return {f"{prefix}.Value": value, f"{prefix}.CurrencyCode": "USD"}


def fund(fps, ret, ref="fund-1"):
    return fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
                    CallerReference=ref, **amount("10.00", "FundingAmount"))


def prepaid(fps, ret, name):
    return fps.call("GetPrepaidBalance", PrepaidInstrumentId=ret["prepaidInstrumentID"]).find(
        f"GetPrepaidBalanceResult/PrepaidBalance/{name}/Value")


def status(caller, tid):
    r = caller.call("GetTransactionStatus", TransactionId=tid)
    return r.find("GetTransactionStatusResult/TransactionStatus"), r.find("GetTransactionStatusResult/StatusCode")


def test_a_balance_read_first_after_the_delay_sees_the_funding_completed(fps, buyer, tab, news, clock):
    """GetPrepaidBalance and GetDebtBalance read their instrument with the caller, before they know a Pending
    transaction is due: what they read then is thrown away, the transaction completed, and read again."""
    ret = buyer.authorize(prepaid_params(), method_label="Visa")
    tid = fund(fps, ret).find("FundPrepaidResult/TransactionId")
    assert prepaid(fps, ret, "PendingInBalance") == "10.000000"
    r = news.call("Pay", SenderTokenId=tab["creditSenderTokenID"], CallerReference="tab-1", **amount("5.00"))
    assert r.find("PayResult/TransactionStatus") == "Success", r.text
    settle = news.call("SettleDebt", SenderTokenId=tab["settlementTokenID"], CreditInstrumentId=tab["creditInstrumentID"],
                       CallerReference="settle-1", **amount("5.00", "SettlementAmount"))
    assert settle.find("SettleDebtResult/TransactionStatus") == "Pending", settle.text

    def debt(name):
        return news.call("GetDebtBalance", CreditInstrumentId=tab["creditInstrumentID"]).find(
            f"GetDebtBalanceResult/DebtBalance/{name}/Value")

    assert debt("AvailableBalance") == "5.000000" and debt("PendingOutBalance") == "5.000000"
    clock.advance(timedelta(seconds=5))
    assert prepaid(fps, ret, "AvailableBalance") == "10.000000"  # the first call since the delay passed
    assert prepaid(fps, ret, "PendingInBalance") == "0.000000"
    assert debt("AvailableBalance") == "0.000000" and debt("PendingOutBalance") == "0.000000"
    assert status(fps, tid) == ("Success", "Success")


def test_card_funding_is_pending_then_success(app, fps, buyer, clock):
    ret = buyer.authorize(prepaid_params(), method_label="Visa")
    r = fund(fps, ret)
    assert r.find("FundPrepaidResult/TransactionStatus") == "Pending"
    tid = r.find("FundPrepaidResult/TransactionId")
    assert status(fps, tid) == ("Pending", "PendingNetworkResponse")
    assert prepaid(fps, ret, "AvailableBalance") == "0.000000" and prepaid(fps, ret, "PendingInBalance") == "10.000000"
    balance = fps.call("GetAccountBalance")
    assert balance.find("GetAccountBalanceResult/AccountBalance/PendingInBalance/Value") == "9.700000"
    assert balance.find("GetAccountBalanceResult/AccountBalance/AvailableBalances/DisburseBalance/Value") == "0.000000"
    assert fps.call("GetTotalPrepaidLiability").find(
        "GetTotalPrepaidLiabilityResult/OutstandingPrepaidLiability/PendingInBalance/Value") == "10.000000"
    assert fund(fps, ret, "fund-2").error_code == "PrepaidFundingLimitExceeded"  # one funding, even while pending
    clock.advance(timedelta(seconds=4))
    assert status(fps, tid) == ("Pending", "PendingNetworkResponse")
    clock.advance(timedelta(seconds=1))
    assert status(fps, tid) == ("Success", "Success")
    assert prepaid(fps, ret, "AvailableBalance") == "10.000000" and prepaid(fps, ret, "PendingInBalance") == "0.000000"
    detail = fps.call("GetTransaction", TransactionId=tid)
    history = [h for h in detail.xml.iter() if h.tag.endswith("}StatusHistory")]
    assert [[c.text for c in h if c.tag.endswith("}TransactionStatus")][0] for h in history] == ["Pending", "Success"]
    assert detail.find("GetTransactionResult/Transaction/DateCompleted")
    assert fund(fps, ret).find("FundPrepaidResult/TransactionStatus") == "Success"  # a replay sees it now


def test_abt_is_immediate_even_with_a_delay(fps, buyer, clock):
    ret = buyer.authorize(prepaid_params())
    assert fund(fps, ret).find("FundPrepaidResult/TransactionStatus") == "Success"
    assert prepaid(fps, ret, "AvailableBalance") == "10.000000"


def test_pays_wait_for_the_funding(fps, buyer, clock):
    ret = buyer.authorize(prepaid_params(), method_label="Checking account")
    fund(fps, ret)
    r = fps.call("Pay", SenderTokenId=ret["prepaidSenderTokenID"], CallerReference="early", **amount("0.50"))
    assert r.error_code == "InsufficientBalance"
    clock.advance(timedelta(seconds=5))
    r = fps.call("Pay", SenderTokenId=ret["prepaidSenderTokenID"], CallerReference="later", **amount("0.50"))
    assert r.find("PayResult/TransactionStatus") == "Success"  # a write catches up first


def test_card_settlement_is_pending_then_lowers_the_debt(app, news, tab, clock):
    news.call("Pay", SenderTokenId=tab["creditSenderTokenID"], CallerReference="a", **amount("5.00"))
    r = news.call("SettleDebt", SenderTokenId=tab["settlementTokenID"], CreditInstrumentId=tab["creditInstrumentID"],
                  CallerReference="s", **amount("3.00", "SettlementAmount"))
    assert r.find("SettleDebtResult/TransactionStatus") == "Pending"
    debt = news.call("GetDebtBalance", CreditInstrumentId=tab["creditInstrumentID"])
    assert debt.find("GetDebtBalanceResult/DebtBalance/AvailableBalance/Value") == "5.000000"
    assert debt.find("GetDebtBalanceResult/DebtBalance/PendingOutBalance/Value") == "3.000000"
    assert news.call("GetOutstandingDebtBalance").find(
        "GetOutstandingDebtBalanceResult/OutstandingDebt/PendingOutBalance/Value") == "3.000000"
    over = news.call("WriteOffDebt", CreditInstrumentId=tab["creditInstrumentID"], CallerReference="w",
                     **amount("2.01", "AdjustmentAmount"))
    assert over.error_code == "SettleAmountGreaterThanDebt" and "not already being settled" in over.error_message
    assert app.test_cli_runner().invoke(args=["tick"]).output.startswith("Completed 0 due transaction(s);")
    clock.advance(timedelta(seconds=5))
    assert app.test_cli_runner().invoke(args=["tick"]).output.startswith("Completed 1 due transaction(s);")
    debt = news.call("GetDebtBalance", CreditInstrumentId=tab["creditInstrumentID"])
    assert debt.find("GetDebtBalanceResult/DebtBalance/AvailableBalance/Value") == "2.000000"
    assert debt.find("GetDebtBalanceResult/DebtBalance/PendingOutBalance/Value") == "0.000000"


def test_cancel_a_pending_funding(fps, buyer, clock):
    ret = buyer.authorize(prepaid_params(), method_label="Visa")
    tid = fund(fps, ret).find("FundPrepaidResult/TransactionId")
    r = fps.call("Cancel", TransactionId=tid, Description="buyer changed their mind")
    assert r.find("CancelResult/TransactionStatus") == "Cancelled" and r.find("CancelResult/TransactionId") == tid
    assert status(fps, tid) == ("Cancelled", "Canceled")
    assert fps.call("Cancel", TransactionId=tid).find("CancelResult/TransactionStatus") == "Cancelled"
    clock.advance(timedelta(seconds=10))
    assert status(fps, tid) == ("Cancelled", "Canceled")  # never completes
    assert prepaid(fps, ret, "AvailableBalance") == "0.000000" and prepaid(fps, ret, "PendingInBalance") == "0.000000"
    again = fund(fps, ret, "fund-again")  # the reservation was released
    assert again.find("FundPrepaidResult/TransactionStatus") == "Pending"


def test_cancel_refusals(fps, news, funded, clock):
    tid = fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="p", **amount("1.00")).find(
        "PayResult/TransactionId")
    r = fps.call("Cancel", TransactionId=tid)
    assert r.error_code == "InvalidTransactionState" and "only a Pending transaction" in r.error_message
    assert news.call("Cancel", TransactionId=tid).error_code == "InvalidTransactionId"
    assert fps.call("Cancel", TransactionId="NOT-AN-ID").error_code == "InvalidParams"


def test_the_admin_console_catches_up_too(client, fps, buyer, clock):
    ret = buyer.authorize(prepaid_params(), method_label="Visa")
    fund(fps, ret)
    assert "Pending" in client.get("/admin/transactions").get_data(as_text=True)
    clock.advance(timedelta(seconds=5))
    page = client.get("/admin/transactions").get_data(as_text=True)
    assert "Pending</span>" not in page and "Success</span>" in page


def test_bank_settlement_by_postpaid_ach(news, buyer, clock):
    tab = buyer.authorize(postpaid_params(paymentMethod="ACH"), method_label="Checking account",
                          key=NEWS_KEY, secret=NEWS_SECRET)
    news.call("Pay", SenderTokenId=tab["creditSenderTokenID"], CallerReference="a", **amount("1.00"))
    tid = news.call("SettleDebt", SenderTokenId=tab["settlementTokenID"], CreditInstrumentId=tab["creditInstrumentID"],
                    CallerReference="s", **amount("1.00", "SettlementAmount")).find("SettleDebtResult/TransactionId")
    assert status(news, tid)[0] == "Pending"
    clock.advance(timedelta(seconds=6))
    assert status(news, tid) == ("Success", "Success")


def test_a_replay_answers_the_status_the_transaction_has_now(app, fps, buyer, clock):
    """The CallerReference is looked up with the caller; a replay made once the Pending funding is due (and so
    completed by that very call) answers Success, not the Pending read before it completed."""
    ret = buyer.authorize(prepaid_params(), method_label="Visa")
    first = fund(fps, ret)
    assert first.find("FundPrepaidResult/TransactionStatus") == "Pending"
    assert fund(fps, ret).find("FundPrepaidResult/TransactionStatus") == "Pending"  # a replay, still Pending
    clock.advance(timedelta(seconds=5))
    again = fund(fps, ret)
    assert again.find("FundPrepaidResult/TransactionId") == first.find("FundPrepaidResult/TransactionId")
    assert again.find("FundPrepaidResult/TransactionStatus") == "Success"
    changed = fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
                       CallerReference="fund-1", **amount("9.00", "FundingAmount"))
    assert changed.error_code == "DuplicateRequest"  # same reference, another request
