"""FundPrepaid, Pay, GetPrepaidBalance, GetTotalPrepaidLiability, GetTransaction(Status):
the DigitalDownload story to the cent, and every refusal."""

import calendar
import time
from datetime import timedelta

import pytest
from sqlalchemy import Select, func, select

from conftest import prepaid_params, services_of
from sandbox.api.actions import REGISTRY
from sandbox.domain import accounts, driver_sql, instrument_kind
from sandbox.domain.clock import FixedClock, utcnow
from sandbox.models import Account, FpsTransaction, LedgerEntry


def amount(value: str, prefix: str = "TransactionAmount") -> dict:
    return {f"{prefix}.Value": value, f"{prefix}.CurrencyCode": "USD"}


def fund(fps, ret, value="10.00", ref="fund-call-1", **extra):
    return fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
                    CallerReference=ref, **amount(value, "FundingAmount"), **extra)


def pay(fps, ret, value="0.50", ref="song-1", **extra):
    return fps.call("Pay", SenderTokenId=ret["prepaidSenderTokenID"], CallerReference=ref, **amount(value), **extra)


def balance(fps, ret) -> str:
    r = fps.call("GetPrepaidBalance", PrepaidInstrumentId=ret["prepaidInstrumentID"])
    assert r.status == 200, r.text
    assert r.find("GetPrepaidBalanceResult/PrepaidBalance/PendingInBalance/Value") == "0.000000"
    return r.find("GetPrepaidBalanceResult/PrepaidBalance/AvailableBalance/Value")


def account_balance(app, email: str) -> int:
    with services_of(app).storage.read() as conn:
        return conn.execute(select(Account.balance_cents).where(Account.email == email)).scalar_one()


def test_the_digitaldownload_story(app, fps, buyer):
    ret = buyer.authorize(prepaid_params())
    assert balance(fps, ret) == "0.000000"
    r = fund(fps, ret)
    assert r.status == 200 and r.find("FundPrepaidResult/TransactionStatus") == "Success"
    assert balance(fps, ret) == "10.000000"
    assert account_balance(app, "payments@digitaldownload.example") == 970  # $9.70 after the $0.30 fee
    assert account_balance(app, "john@example.com") == 9000  # paid from his Amazon Payments balance
    funding = fps.call("GetTransaction", TransactionId=r.find("FundPrepaidResult/TransactionId"))
    assert funding.find("GetTransactionResult/Transaction/FPSFees/Value") == "0.300000"
    assert funding.find("GetTransactionResult/Transaction/PaymentMethod") == "ABT"
    assert funding.find("GetTransactionResult/Transaction/FPSOperation") == "FundPrepaid"
    for song in range(1, 21):
        r = pay(fps, ret, ref=f"song-{song}")
        assert r.find("PayResult/TransactionStatus") == "Success", r.text
        assert balance(fps, ret) == f"{10 - song * 0.5:.6f}"
        liability = fps.call("GetTotalPrepaidLiability")
        assert liability.find(
            "GetTotalPrepaidLiabilityResult/OutstandingPrepaidLiability/OutstandingBalance/Value") == f"{10 - song * 0.5:.6f}"
    assert account_balance(app, "payments@digitaldownload.example") == 970  # songs move no money
    r = pay(fps, ret, ref="song-21")
    assert (r.status, r.error_code) == (400, "InsufficientBalance")
    assert r.error_message.startswith("The transaction exceeds the account/instrument limits.")
    assert balance(fps, ret) == "0.000000"


def test_pay_details_no_fee_prepaid_method(fps, funded):
    r = pay(fps, funded, CallerDescription="Song: <Blue> & \"Green\"", SenderDescription="MP3")
    t = fps.call("GetTransaction", TransactionId=r.find("PayResult/TransactionId"))
    get = lambda name: t.find(f"GetTransactionResult/Transaction/{name}")  # noqa: E731
    assert get("PaymentMethod") == "Prepaid" and get("FPSFees/Value") == "0.000000"
    assert get("TransactionAmount/Value") == "0.500000" and get("FPSOperation") == "Pay"
    assert get("CallerDescription") == 'Song: <Blue> & "Green"' and get("SenderDescription") == "MP3"
    assert get("PrepaidInstrumentId") == funded["prepaidInstrumentID"]
    assert get("SenderTokenId") == funded["prepaidSenderTokenID"]
    assert get("SenderEmail") == "john@example.com" and get("RecipientName") == "DigitalDownload"
    assert get("StatusHistory/TransactionStatus") == "Success" and get("StatusHistory/Amount/Value") == "0.500000"
    s = fps.call("GetTransactionStatus", TransactionId=r.find("PayResult/TransactionId"))
    assert s.find("GetTransactionStatusResult/CallerReference") == "song-1"
    assert s.find("GetTransactionStatusResult/StatusCode") == "Success"
    assert s.find("GetTransactionStatusResult/StatusMessage") == (
        "The transaction was successful and the payment instrument was charged.")


def test_smallest_payment_is_one_cent(fps, funded):
    assert pay(fps, funded, "0.01").find("PayResult/TransactionStatus") == "Success"
    assert balance(fps, funded) == "9.990000"


@pytest.mark.parametrize("value", ["0.00", "0", "10000.01"])
def test_amount_out_of_range(fps, funded, value):
    r = pay(fps, funded, value)
    assert r.error_code == "AmountOutOfRange" and "TransactionAmount" in r.error_message
    assert balance(fps, funded) == "10.000000"


@pytest.mark.parametrize("params, fragment", [
    ({"TransactionAmount.Value": "-1"}, "TransactionAmount.Value '-1' is not a valid amount"),
    ({"TransactionAmount.Value": "1.001"}, "at most two decimals, e.g. TransactionAmount.Value=1.00"),
    ({"TransactionAmount.Value": "1e3"}, "is not a valid amount"),
    ({"TransactionAmount.Value": "1", "TransactionAmount.CurrencyCode": "EUR"}, "the only currency is USD"),
    ({}, "TransactionAmount.Value is required but was not given. Send TransactionAmount.Value=1.00"),
    ({"TransactionAmount": "1.00"}, "TransactionAmount is an Amount with two members"),
])
def test_malformed_amounts_name_the_parameter_and_shape(fps, funded, params, fragment):
    r = fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="x", **params)
    assert r.status == 400 and r.error_code in ("InvalidParams", "InvalidRequest"), r.text
    if r.error_code == "InvalidParams":
        assert fragment in r.error_message


@pytest.mark.parametrize("missing", ["SenderTokenId", "CallerReference"])
def test_missing_pay_parameters(fps, funded, missing):
    params = {"SenderTokenId": funded["prepaidSenderTokenID"], "CallerReference": "r", **amount("0.50")}
    del params[missing]
    r = fps.call("Pay", **params)
    assert r.error_code == "InvalidParams"
    assert r.error_message == f"The parameter {missing} is required but was not given."


def test_caller_reference_too_long(fps, funded):
    r = pay(fps, funded, ref="r" * 129)
    assert r.error_code == "InvalidParams" and "CallerReference is too long" in r.error_message


def test_unknown_sender_token(fps, funded):
    r = fps.call("Pay", SenderTokenId="NOSUCHTOKEN", CallerReference="x", **amount("0.50"))
    assert r.error_code == "InvalidTokenId_Sender"
    assert r.error_message == "The sender token NOSUCHTOKEN is invalid, cancelled or not active."


def test_funding_token_cannot_pay(fps, funded):
    r = fps.call("Pay", SenderTokenId=funded["fundingTokenID"], CallerReference="x", **amount("0.50"))
    assert r.error_code == "InvalidTokenId_Sender" and "Pay takes the prepaidSenderTokenID" in r.error_message


def test_prepaid_sender_token_cannot_fund(fps, buyer):
    ret = buyer.authorize(prepaid_params())
    r = fps.call("FundPrepaid", SenderTokenId=ret["prepaidSenderTokenID"],
                 PrepaidInstrumentId=ret["prepaidInstrumentID"], CallerReference="f", **amount("10", "FundingAmount"))
    assert r.error_code == "InvalidTokenId_Sender" and "FundPrepaid takes the fundingTokenID" in r.error_message


def test_funding_token_of_another_instrument(fps, buyer):
    first = buyer.authorize(prepaid_params("1"))
    second = buyer.authorize(prepaid_params("2"))
    r = fps.call("FundPrepaid", SenderTokenId=first["fundingTokenID"],
                 PrepaidInstrumentId=second["prepaidInstrumentID"], CallerReference="f", **amount("10", "FundingAmount"))
    assert r.error_code == "IncompatibleTokens"


def test_unknown_instrument(fps, funded):
    r = fps.call("GetPrepaidBalance", PrepaidInstrumentId="NOPE")
    assert r.error_code == "InvalidParams"
    assert r.error_message == "PrepaidInstrumentId has to be a valid prepaid instrument ID. Specified value: NOPE"


def test_a_balance_is_read_with_the_caller_in_one_statement(monkeypatch, app, fps, news, funded, tab):
    """GetPrepaidBalance and GetDebtBalance read the instrument in the caller's own statement (one round trip
    on PostgreSQL); a value that cannot be an id is not read ahead, and every refusal stays what it was."""
    statements = []  # the SELECTs sent (the request log's INSERT aside)
    run = driver_sql._run

    def counted(conn, stmt, *args, **kwargs):
        if isinstance(stmt, Select):
            statements.append(stmt)
        return run(conn, stmt, *args, **kwargs)

    monkeypatch.setattr(driver_sql, "_run", counted)
    assert balance(fps, funded) == "10.000000" and len(statements) == 1
    r = news.call("GetDebtBalance", CreditInstrumentId=tab["creditInstrumentID"])
    assert r.find("GetDebtBalanceResult/DebtBalance/AvailableBalance/Value") == "0.000000", r.text
    assert len(statements) == 2
    pay(fps, funded, "0.25")
    statements.clear()
    assert balance(fps, funded) == "9.750000" and len(statements) == 1  # read fresh: nothing is kept
    refusals = [(fps, "GetPrepaidBalance", "PrepaidInstrumentId", "N" * 64, "InvalidParams"),  # no such instrument
                (news, "GetPrepaidBalance", "PrepaidInstrumentId", funded["prepaidInstrumentID"], "InstrumentAccessDenied"),
                (fps, "GetDebtBalance", "CreditInstrumentId", funded["prepaidInstrumentID"], "InvalidParams"),  # a kind
                (fps, "GetPrepaidBalance", "PrepaidInstrumentId", tab["creditInstrumentID"], "InvalidParams")]
    for caller, action, name, value, code in refusals:
        statements.clear()
        r = caller.call(action, **{name: value})
        assert r.error_code == code and len(statements) == 1, (action, value, r.text)
    for value in ("A" * 66, "AB\x00CD", "AB CD", "ÄBC", "' OR 1=1 --"):  # not read ahead; the parameter's own check
        statements.clear()
        r = fps.call("GetPrepaidBalance", PrepaidInstrumentId=value)
        assert r.status == 400 and r.error_code == "InvalidParams" and "PrepaidInstrumentId" in r.error_message, r.text
        assert all(stmt is not driver_sql.beside(accounts._CONTEXT, instrument_kind._WITH_PENDING)[0]
                   for stmt in statements)


def test_second_funding_is_refused_no_recharge(app, fps, funded):
    r = fund(fps, funded, "5.00", ref="fund-call-2")
    assert r.error_code == "PrepaidFundingLimitExceeded" and "does not support recharging" in r.error_message
    assert balance(fps, funded) == "10.000000"
    assert account_balance(app, "john@example.com") == 9000


def test_funding_above_the_authorized_amount(app, fps, buyer):
    ret = buyer.authorize(prepaid_params())
    r = fund(fps, ret, "10.01")
    assert r.error_code == "PrepaidFundingLimitExceeded" and "exceeds the fundingAmount of $10.00" in r.error_message
    assert account_balance(app, "john@example.com") == 10000


def test_partial_funding_then_no_more(fps, buyer):
    ret = buyer.authorize(prepaid_params())
    assert fund(fps, ret, "5.00").find("FundPrepaidResult/TransactionStatus") == "Success"
    assert balance(fps, ret) == "5.000000"
    assert fund(fps, ret, "5.00", ref="again").error_code == "PrepaidFundingLimitExceeded"


def test_funding_smaller_than_the_fee(fps, buyer):
    ret = buyer.authorize(prepaid_params())
    r = fund(fps, ret, "0.05")
    assert r.error_code == "InvalidParams"
    assert r.error_message == "Transaction amount must be greater than Recipient Fee liability."


def test_abt_funding_with_a_short_balance(app, fps, buyer):
    ret = buyer.authorize(prepaid_params(amount="6.00"), email="pat@example.com")
    r = fund(fps, ret, "6.00")
    assert r.error_code == "InsufficientBalance" and "Amazon Payments balance is less than $6.00" in r.error_message
    assert account_balance(app, "pat@example.com") == 500
    assert balance(fps, ret) == "0.000000"


@pytest.mark.parametrize("label, method, status", [
    ("Visa ending in 1111", "CC", "SC"), ("Checking account ending in 6789", "ACH", "SB"),
])
def test_card_and_bank_funding_charge_the_outside_source(app, fps, buyer, label, method, status):
    ret = buyer.authorize(prepaid_params(), method_label=label)
    assert ret["status"] == status
    r = fund(fps, ret)
    t = fps.call("GetTransaction", TransactionId=r.find("FundPrepaidResult/TransactionId"))
    assert t.find("GetTransactionResult/Transaction/PaymentMethod") == method
    assert account_balance(app, "john@example.com") == 10000  # the card or bank paid, not his balance
    assert account_balance(app, "payments@digitaldownload.example") == 970


def test_caller_reference_replay_returns_the_original(app, fps, funded):
    first = pay(fps, funded, ref="song-x")
    again = pay(fps, funded, ref="song-x")
    assert again.find("PayResult/TransactionId") == first.find("PayResult/TransactionId")
    assert again.find("PayResult/TransactionStatus") == "Success"
    assert balance(fps, funded) == "9.500000"  # charged once
    replay = fund(fps, funded)  # the fixture's own FundPrepaid again
    assert replay.find("FundPrepaidResult/TransactionStatus") == "Success"
    with services_of(app).storage.read() as conn:
        assert conn.execute(select(func.count(FpsTransaction.id))).scalar_one() == 2


def test_caller_reference_reused_for_a_different_request(fps, funded):
    first = pay(fps, funded, ref="song-x")
    r = pay(fps, funded, "0.75", ref="song-x")
    assert (r.status, r.error_code) == (400, "DuplicateRequest")
    assert first.find("PayResult/TransactionId") in r.error_message
    assert fund(fps, funded, ref="song-x").error_code == "DuplicateRequest"  # another action, same reference
    assert balance(fps, funded) == "9.500000"


def test_each_caller_sees_only_its_own_instruments(fps, news, funded):
    r = news.call("GetPrepaidBalance", PrepaidInstrumentId=funded["prepaidInstrumentID"])
    assert r.error_code == "InstrumentAccessDenied"
    r = news.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="steal", **amount("1.00"))
    assert r.error_code == "InvalidTokenId_Sender" and "belongs to another caller" in r.error_message
    r = news.call("Pay", SenderTokenId="N" * 64, CallerReference="none", **amount("1.00"))
    assert r.error_code == "InvalidTokenId_Sender" and "another caller" not in r.error_message
    r = news.call("FundPrepaid", SenderTokenId=funded["fundingTokenID"],
                  PrepaidInstrumentId=funded["prepaidInstrumentID"], CallerReference="f", **amount("1", "FundingAmount"))
    assert r.error_code == "InstrumentAccessDenied"
    tid = pay(fps, funded).find("PayResult/TransactionId")
    assert news.call("GetTransaction", TransactionId=tid).error_code == "InvalidTransactionId"
    assert news.call("GetTransactionStatus", TransactionId=tid).error_code == "InvalidTransactionId"
    liability = news.call("GetTotalPrepaidLiability")
    assert liability.find(
        "GetTotalPrepaidLiabilityResult/OutstandingPrepaidLiability/OutstandingBalance/Value") == "0.000000"
    assert balance(fps, funded) == "9.500000"


def test_a_pay_refused_after_its_balance_was_drawn_leaves_it_whole(fps, news, funded):
    """On PostgreSQL a prepaid Pay draws the balance down and reads its token in one statement, then checks
    it: a check that fails (a cancelled token, another caller's, a short balance) rolls the draw-down back."""
    r = news.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="steal", **amount("1.00"))
    assert r.error_code == "InvalidTokenId_Sender"
    assert pay(fps, funded, value="10.01", ref="too-much").error_code == "InsufficientBalance"
    assert fps.call("CancelToken", TokenId=funded["prepaidSenderTokenID"]).status == 200
    assert pay(fps, funded, value="1.00", ref="after-cancel").error_code == "TokenNotActive_Sender"
    assert balance(fps, funded) == "10.000000"


def test_malformed_and_unknown_transaction_ids(fps, funded):
    r = fps.call("GetTransaction", TransactionId="FAKE-1")
    assert r.error_code == "InvalidParams"
    assert r.error_message == "transactionId has to be a valid transaction ID. Specified value: FAKE-1"
    r = fps.call("GetTransactionStatus", TransactionId="14" + "A" * 33)
    assert r.error_code == "InvalidTransactionId"


def test_validity_start_in_the_future(app, fps, buyer):
    start = calendar.timegm((utcnow() + timedelta(days=2)).timetuple())
    ret = buyer.authorize(prepaid_params(validityStart=str(start)))
    r = fund(fps, ret)
    assert r.error_code == "TokenNotActive_Sender" and "is not valid before" in r.error_message


def test_without_validity_expiry_an_instrument_never_expires(app, fps, funded):
    services_of(app).clock = FixedClock(utcnow() + timedelta(days=4000))
    assert pay(fps, funded, ref="much-later").find("PayResult/TransactionStatus") == "Success"


def test_validity_expiry_is_enforced(app, fps, buyer):
    expiry = calendar.timegm((utcnow() + timedelta(days=30)).timetuple())
    ret = buyer.authorize(prepaid_params(validityExpiry=str(expiry)))
    assert fund(fps, ret).find("FundPrepaidResult/TransactionStatus") == "Success"
    assert pay(fps, ret, ref="in-time").find("PayResult/TransactionStatus") == "Success"
    services_of(app).clock = FixedClock(utcnow() + timedelta(days=31))
    r = pay(fps, ret, ref="too-late")
    assert r.error_code == "InstrumentExpired" and ret["prepaidInstrumentID"] in r.error_message
    assert balance(fps, ret) == "9.500000"


def test_every_movement_is_balanced_double_entry(app, fps, funded):
    pay(fps, funded)
    with services_of(app).storage.read() as conn:
        rows = conn.execute(select(LedgerEntry.journal, func.sum(LedgerEntry.amount_cents), func.count())
                            .where(LedgerEntry.transaction_pk.is_not(None)).group_by(LedgerEntry.journal)).all()
        fee = conn.execute(select(func.sum(LedgerEntry.amount_cents)).where(LedgerEntry.book == "fee_revenue")).scalar()
    assert len(rows) == 2 and all(total == 0 for _, total, _ in rows)
    assert sorted(count for *_, count in rows) == [2, 8]  # Pay: one transfer; FundPrepaid: four
    assert fee == 30


def test_a_one_statement_read_takes_no_transaction_on_postgresql(app, fps, funded):
    """On PostgreSQL, GetPrepaidBalance and the other one-statement reads run without BEGIN/COMMIT: each
    statement is its own (CURRENT_TIMESTAMP moves between two), where a unit of work is one transaction
    (it stays). On SQLite a statement through SQLAlchemy still begins a read transaction (one straight through
    the driver does not; a BEGIN there is no round trip). The answer is the same."""
    storage = services_of(app).storage

    def one_time(snapshot: bool) -> bool:
        with storage.read(snapshot=snapshot) as conn:
            first = conn.exec_driver_sql("SELECT CURRENT_TIMESTAMP").scalar()
            time.sleep(0.02)
            return first == conn.exec_driver_sql("SELECT CURRENT_TIMESTAMP").scalar()

    if not storage.is_sqlite:  # SQLite's CURRENT_TIMESTAMP has whole seconds: it cannot tell
        assert one_time(snapshot=True) and not one_time(snapshot=False)
    assert sorted(name for name, act in REGISTRY.items() if act.one_read) == [
        "GetAccountBalance", "GetDebtBalance", "GetPrepaidBalance", "GetTransactionStatus"]
    r = fps.call("GetPrepaidBalance", PrepaidInstrumentId=funded["prepaidInstrumentID"])
    assert r.find("GetPrepaidBalanceResult/PrepaidBalance/AvailableBalance/Value") == "10.000000", r.text
