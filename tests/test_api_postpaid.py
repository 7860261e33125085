"""Postpaid: Pay on credit, GetDebtBalance, GetOutstandingDebtBalance, SettleDebt, WriteOffDebt —
The Daily Byte's story to the cent, every refusal, idempotency and the credit limit under load."""

import calendar
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from conftest import NEWS_KEY, NEWS_SECRET, concurrent_pays, postpaid_params, services_of
from sandbox.domain.clock import FixedClock, utcnow
from sandbox.models import Account, FpsTransaction, Instrument, LedgerEntry


def amount(value: str, prefix: str = "TransactionAmount") -> dict:
    return {f"{prefix}.Value": value, f"{prefix}.CurrencyCode": "USD"}


def read(news, tab, value="0.25", ref="article-1", **extra):
    return news.call("Pay", SenderTokenId=tab["creditSenderTokenID"], CallerReference=ref, **amount(value), **extra)


def settle(news, tab, value, ref="settle-call-1", token=None, **extra):
    return news.call("SettleDebt", SenderTokenId=token or tab["settlementTokenID"],
                     CreditInstrumentId=tab["creditInstrumentID"], CallerReference=ref,
                     **amount(value, "SettlementAmount"), **extra)


def write_off(news, tab, value, ref="writeoff-1", **extra):
    return news.call("WriteOffDebt", CreditInstrumentId=tab["creditInstrumentID"], CallerReference=ref,
                     **amount(value, "AdjustmentAmount"), **extra)


def debt(news, tab) -> str:
    r = news.call("GetDebtBalance", CreditInstrumentId=tab["creditInstrumentID"])
    assert r.status == 200, r.text
    assert r.find("GetDebtBalanceResult/DebtBalance/PendingOutBalance/Value") == "0.000000"
    return r.find("GetDebtBalanceResult/DebtBalance/AvailableBalance/Value")


def outstanding(caller) -> str:
    r = caller.call("GetOutstandingDebtBalance")
    assert r.find("GetOutstandingDebtBalanceResult/OutstandingDebt/PendingOutBalance/Value") == "0.000000"
    return r.find("GetOutstandingDebtBalanceResult/OutstandingDebt/OutstandingBalance/Value")


def balance_of(app, email: str) -> int:
    with services_of(app).storage.read() as conn:
        return conn.execute(select(Account.balance_cents).where(Account.email == email)).scalar_one()


def detail(caller, response, result: str, name: str) -> str:
    tid = response.find(f"{result}/TransactionId")
    return caller.call("GetTransaction", TransactionId=tid).find(f"GetTransactionResult/Transaction/{name}")


def test_the_daily_byte_story(app, news, tab):
    assert tab["status"] == "SC" and tab["expiry"] == "10/2028"
    for article in range(1, 31):
        r = read(news, tab, ref=f"article-{article}")
        assert r.find("PayResult/TransactionStatus") == "Success", r.text
    assert detail(news, r, "PayResult", "PaymentMethod") == "Debt"
    assert detail(news, r, "PayResult", "FPSFees/Value") == "0.000000"
    assert debt(news, tab) == "7.500000" and outstanding(news) == "7.500000"
    assert balance_of(app, "billing@dailybyte.example") == 0  # no money moved yet

    r = settle(news, tab, "7.50")
    assert r.find("SettleDebtResult/TransactionStatus") == "Success"
    assert detail(news, r, "SettleDebtResult", "FPSFees/Value") == "0.430000"  # 5% + $0.05, half-up
    assert detail(news, r, "SettleDebtResult", "PaymentMethod") == "CC"
    assert detail(news, r, "SettleDebtResult", "CreditInstrumentId") == tab["creditInstrumentID"]
    assert balance_of(app, "billing@dailybyte.example") == 707
    assert balance_of(app, "reader@example.com") == 2500  # the card paid, not her balance
    assert debt(news, tab) == "0.000000"

    for article in range(31, 51):  # next month: $5.00
        read(news, tab, ref=f"article-{article}")
    assert debt(news, tab) == "5.000000"
    assert settle(news, tab, "3.00", ref="settle-call-2").find("SettleDebtResult/TransactionStatus") == "Success"
    assert balance_of(app, "billing@dailybyte.example") == 707 + 280
    r = write_off(news, tab, "2.00", CallerDescription="Promotion")
    assert r.find("WriteOffDebtResult/TransactionStatus") == "Success"
    assert detail(news, r, "WriteOffDebtResult", "FPSFees/Value") == "0.000000"
    assert detail(news, r, "WriteOffDebtResult", "FPSOperation") == "WriteOffDebt"
    assert debt(news, tab) == "0.000000" and outstanding(news) == "0.000000"
    assert balance_of(app, "billing@dailybyte.example") == 987  # nothing moved for the $2.00


def test_pay_past_the_credit_limit(news, tab):
    assert read(news, tab, "19.75").find("PayResult/TransactionStatus") == "Success"
    assert read(news, tab, "0.25", ref="a2").find("PayResult/TransactionStatus") == "Success"
    r = read(news, tab, "0.01", ref="a3")
    assert (r.status, r.error_code) == (400, "InsufficientBalance")
    assert "credit limit is $20.00 and the debt is $20.00" in r.error_message
    assert debt(news, tab) == "20.000000"


def test_charges_past_the_global_amount_limit(news, buyer):
    tab = buyer.authorize(postpaid_params(credit="20.00", total="30.00"), email="reader@example.com",
                          method_label="Mastercard", key=NEWS_KEY, secret=NEWS_SECRET)
    read(news, tab, "20.00", ref="a1")
    settle(news, tab, "20.00")
    read(news, tab, "10.00", ref="a2")
    r = read(news, tab, "0.01", ref="a3")
    assert r.error_code == "InsufficientBalance" and "globalAmountLimit of $30.00 allows $0.00 more" in r.error_message
    assert debt(news, tab) == "10.000000"


@pytest.mark.parametrize("kind, period, value, pays, refused", [
    ("Count", "1 Day", "3", ["0.25", "0.25", "0.25"], "0.25"),
    ("Amount", "1 Week", "1.00", ["0.50", "0.50"], "0.01"),
])
def test_usage_limits(app, news, buyer, kind, period, value, pays, refused):
    tab = buyer.authorize(postpaid_params(usageLimitType1=kind, usageLimitPeriod1=period, usageLimitValue1=value),
                          email="reader@example.com", method_label="Mastercard", key=NEWS_KEY, secret=NEWS_SECRET)
    for n, v in enumerate(pays):
        assert read(news, tab, v, ref=f"u{n}").find("PayResult/TransactionStatus") == "Success"
    r = read(news, tab, refused, ref="over")
    assert r.error_code == "TokenUsageError" and "The token usage limit is exceeded" in r.error_message
    services_of(app).clock = FixedClock(utcnow() + timedelta(days=8))  # the next period
    assert read(news, tab, refused, ref="next").find("PayResult/TransactionStatus") == "Success"


def test_validity_is_enforced_for_pay_but_debt_can_still_be_settled(app, news, buyer):
    expiry = calendar.timegm((utcnow() + timedelta(days=30)).timetuple())
    tab = buyer.authorize(postpaid_params(validityExpiry=str(expiry)), email="reader@example.com",
                          method_label="Mastercard", key=NEWS_KEY, secret=NEWS_SECRET)
    read(news, tab, "1.00")
    services_of(app).clock = FixedClock(utcnow() + timedelta(days=31))
    r = read(news, tab, "1.00", ref="late")
    assert r.error_code == "InstrumentExpired"
    assert settle(news, tab, "1.00").find("SettleDebtResult/TransactionStatus") == "Success"


def test_validity_start_in_the_future(news, buyer):
    start = calendar.timegm((utcnow() + timedelta(days=1)).timetuple())
    tab = buyer.authorize(postpaid_params(validityStart=str(start)), email="reader@example.com",
                          method_label="Mastercard", key=NEWS_KEY, secret=NEWS_SECRET)
    assert read(news, tab).error_code == "TokenNotActive_Sender"


def test_credit_sender_token_cannot_settle(news, tab):
    read(news, tab, "1.00")
    r = settle(news, tab, "1.00", token=tab["creditSenderTokenID"])
    assert r.error_code == "InvalidTokenId_Sender"
    assert "is a CreditSender token; SettleDebt takes the settlementTokenID" in r.error_message
    assert debt(news, tab) == "1.000000"


def test_settlement_token_cannot_pay(news, tab):
    r = news.call("Pay", SenderTokenId=tab["settlementTokenID"], CallerReference="x", **amount("1.00"))
    assert r.error_code == "InvalidTokenId_Sender" and "creditSenderTokenID" in r.error_message


def test_settlement_token_of_another_instrument(news, buyer, tab):
    other = buyer.authorize(postpaid_params("2"), email="reader@example.com", method_label="Mastercard",
                            key=NEWS_KEY, secret=NEWS_SECRET)
    read(news, tab, "1.00")
    r = settle(news, tab, "1.00", token=other["settlementTokenID"])
    assert r.error_code == "IncompatibleTokens"


@pytest.mark.parametrize("action", [settle, write_off])
def test_more_than_the_debt_is_refused(news, tab, action):
    read(news, tab, "5.00")
    r = action(news, tab, "5.01")
    assert (r.status, r.error_code) == (400, "SettleAmountGreaterThanDebt")
    assert "greater than the debt of $5.00" in r.error_message
    assert debt(news, tab) == "5.000000"


def test_partial_settlements_each_pay_a_fee(app, news, tab):
    read(news, tab, "20.00")
    for n, value in enumerate(["10.00", "5.00", "1.00"]):
        assert settle(news, tab, value, ref=f"s{n}").find("SettleDebtResult/TransactionStatus") == "Success"
    # $10.00 -> $0.30, $5.00 -> $0.30, $1.00 -> $0.10
    assert balance_of(app, "billing@dailybyte.example") == 970 + 470 + 90
    assert debt(news, tab) == "4.000000"


def test_settlement_by_amazon_payments_balance(app, news, buyer):
    tab = buyer.authorize(postpaid_params(paymentMethod="ABT", credit="30.00"), email="reader@example.com",
                          method_label="Amazon Payments balance", key=NEWS_KEY, secret=NEWS_SECRET)
    assert tab["status"] == "SA" and "expiry" not in tab
    read(news, tab, "30.00")
    r = settle(news, tab, "30.00")  # she has $25.00
    assert r.error_code == "InsufficientBalance" and "balance is less than $30.00" in r.error_message
    assert debt(news, tab) == "30.000000" and balance_of(app, "reader@example.com") == 2500
    assert settle(news, tab, "10.00", ref="s2").find("SettleDebtResult/TransactionStatus") == "Success"
    assert balance_of(app, "reader@example.com") == 1500 and debt(news, tab) == "20.000000"


def test_settlement_by_bank_account(app, news, buyer):
    tab = buyer.authorize(postpaid_params(paymentMethod="ACH"), key=NEWS_KEY, secret=NEWS_SECRET,
                          method_label="Checking account")
    assert tab["status"] == "SB"
    read(news, tab, "10.00")
    r = settle(news, tab, "10.00")
    assert detail(news, r, "SettleDebtResult", "PaymentMethod") == "ACH"


@pytest.mark.parametrize("call, result", [
    (lambda news, tab, ref, v: read(news, tab, v, ref=ref), "PayResult"),
    (lambda news, tab, ref, v: settle(news, tab, v, ref=ref), "SettleDebtResult"),
    (lambda news, tab, ref, v: write_off(news, tab, v, ref=ref), "WriteOffDebtResult"),
])
def test_caller_reference_idempotency(app, news, tab, call, result):
    read(news, tab, "5.00", ref="setup")
    first = call(news, tab, "same-ref", "1.00")
    again = call(news, tab, "same-ref", "1.00")
    assert again.find(f"{result}/TransactionId") == first.find(f"{result}/TransactionId")
    different = call(news, tab, "same-ref", "2.00")
    assert different.error_code == "DuplicateRequest"
    with services_of(app).storage.read() as conn:
        assert conn.execute(select(func.count()).select_from(FpsTransaction)).scalar_one() == 2


def test_write_off_moves_no_money_and_no_fee(app, news, tab):
    read(news, tab, "3.00")
    before = balance_of(app, "billing@dailybyte.example"), balance_of(app, "reader@example.com")
    write_off(news, tab, "3.00")
    assert (balance_of(app, "billing@dailybyte.example"), balance_of(app, "reader@example.com")) == before
    with services_of(app).storage.read() as conn:
        books = dict(conn.execute(select(LedgerEntry.book, func.sum(LedgerEntry.amount_cents))
                                  .group_by(LedgerEntry.book)).all())
    assert [b for b in books if b.startswith("written_off:")] and sum(
        v for b, v in books.items() if b.startswith("written_off:")) == 300
    assert sum(v for b, v in books.items() if b.startswith("receivable:")) == 0


def test_each_caller_sees_only_its_own_credit_instruments(fps, news, tab):
    read(news, tab, "1.00")
    assert fps.call("GetDebtBalance", CreditInstrumentId=tab["creditInstrumentID"]).error_code == \
        "InstrumentAccessDenied"
    assert fps.call("Pay", SenderTokenId=tab["creditSenderTokenID"], CallerReference="x",
                    **amount("1.00")).error_code == "InvalidTokenId_Sender"
    assert settle(fps, tab, "1.00").error_code == "InstrumentAccessDenied"
    assert write_off(fps, tab, "1.00").error_code == "InstrumentAccessDenied"
    assert outstanding(fps) == "0.000000" and outstanding(news) == "1.000000"


def test_unknown_or_prepaid_instrument_ids(news, fps, funded):
    r = news.call("GetDebtBalance", CreditInstrumentId="NOPE")
    assert r.error_code == "InvalidParams"
    assert r.error_message == "CreditInstrumentId has to be a valid credit instrument ID. Specified value: NOPE"
    r = fps.call("GetDebtBalance", CreditInstrumentId=funded["prepaidInstrumentID"])
    assert r.error_code == "InvalidParams"


@pytest.mark.parametrize("missing", ["CreditInstrumentId", "CallerReference", "SettlementAmount.Value",
                                     "SenderTokenId"])
def test_settle_debt_missing_parameters(news, tab, missing):
    params = {"SenderTokenId": tab["settlementTokenID"], "CreditInstrumentId": tab["creditInstrumentID"],
              "CallerReference": "r", **amount("1.00", "SettlementAmount")}
    del params[missing]
    r = news.call("SettleDebt", **params)
    assert r.error_code == "InvalidParams" and missing in r.error_message


def test_write_off_rejects_sender_description(news, tab):
    r = write_off(news, tab, "1.00", SenderDescription="x")
    assert r.error_code == "InvalidRequest"


def test_concurrent_pays_at_the_credit_limit_never_exceed_it(app, tab):
    """Eight threads of five $1.00 Pays on a $20.00 limit: exactly 20 succeed."""
    outcomes = concurrent_pays(app, NEWS_KEY, NEWS_SECRET, tab["creditSenderTokenID"], "1.00", threads=8, each=5)
    assert outcomes.count("Success") == 20 and outcomes.count("InsufficientBalance") == 20, outcomes
    with services_of(app).storage.read() as conn:
        assert conn.execute(select(Instrument.debt_cents).where(Instrument.kind == "Credit")).scalar_one() == 2000
