"""GetAccountBalance and GetAccountActivity: balances, filters, sort order, batches, date ranges."""

from datetime import datetime, timedelta, timezone

import pytest

from conftest import timestamp


def amount(value, prefix="TransactionAmount"):
    return {f"{prefix}.Value": value, f"{prefix}.CurrencyCode": "USD"}


def rows(r):
    return [{c.tag.split("}")[1]: c for c in t} for t in r.xml.iter() if t.tag.endswith("}Transaction")]


def value(node):
    return next(c.text for c in node if c.tag.endswith("}Value"))


LONG_AGO = "2000-01-01T00:00:00Z"


def test_account_balance(fps, funded):
    r = fps.call("GetAccountBalance")
    get = lambda name: r.find(f"GetAccountBalanceResult/AccountBalance/{name}/Value")  # noqa: E731
    assert get("TotalBalance") == "9.700000" and get("PendingInBalance") == "0.000000"
    assert get("PendingOutBalance") == "0.000000"
    assert r.find("GetAccountBalanceResult/AccountBalance/AvailableBalances/DisburseBalance/Value") == "9.700000"
    assert r.find("GetAccountBalanceResult/AccountBalance/AvailableBalances/RefundBalance/Value") == "9.700000"


def roles(transaction) -> list[str]:
    """The TransactionPart roles of one Transaction element, in order."""
    return [next(c.text for c in p if c.tag.endswith("}Role")) for p in transaction
            if p.tag.endswith("}TransactionPart")]


def test_activity_lists_the_story_with_fees_and_balances(fps, funded):
    for n in range(3):
        fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference=f"song-{n}", **amount("0.50"))
    r = fps.call("GetAccountActivity", StartDate=LONG_AGO, SortOrderByDate="Ascending")
    found = rows(r)
    assert r.find("GetAccountActivityResult/BatchSize") == "4"
    assert [x["FPSOperation"].text for x in found] == ["FundPrepaid", "Pay", "Pay", "Pay"]
    transactions = [t for t in r.xml.iter() if t.tag.endswith("}Transaction")]
    assert [roles(t) for t in transactions] == [["Caller", "Recipient"]] * 4  # as the service's samples show
    funding = found[0]
    assert value(funding["FPSFees"]) == "0.300000" and value(funding["Balance"]) == "9.700000"
    assert funding["PaymentMethod"].text == "ABT" and funding["SenderName"].text == "John Smith"
    assert all(value(x["Balance"]) == "9.700000" for x in found[1:])  # prepaid Pays move no money
    assert found[1]["PaymentMethod"].text == "Prepaid" and value(found[1]["FPSFees"]) == "0.000000"
    assert r.find("GetAccountActivityResult/StartTimeForNextTransaction") is None


def test_activity_defaults_to_newest_first_and_pages(fps, funded):
    for n in range(5):
        fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference=f"song-{n}", **amount("0.10"))
    seen, params = [], {"StartDate": LONG_AGO, "MaxBatchSize": "2"}
    while True:
        r = fps.call("GetAccountActivity", **params)
        seen += [x["TransactionId"].text for x in rows(r)]
        nxt = r.find("GetAccountActivityResult/StartTimeForNextTransaction")
        if nxt is None:
            break
        params = {"StartDate": LONG_AGO, "EndDate": nxt, "MaxBatchSize": "2"}
    everything = [x["TransactionId"].text for x in rows(fps.call("GetAccountActivity", StartDate=LONG_AGO))]
    assert seen == everything and len(everything) == 6 and len(set(seen)) == 6


@pytest.mark.parametrize("params, operations", [
    ({"FPSOperation": "FundPrepaid"}, ["FundPrepaid"]),
    ({"PaymentMethod": "Prepaid"}, ["Pay"]),
    ({"TransactionStatus": "Failure"}, []),
    ({"Role.1": "Sender"}, []),  # DigitalDownload never sends
    ({"Role.1": "Recipient", "Role.2": "Caller"}, ["Pay", "FundPrepaid"]),
])
def test_activity_filters(fps, funded, params, operations):
    fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="song", **amount("0.50"))
    r = fps.call("GetAccountActivity", StartDate=LONG_AGO, **params)
    assert [x["FPSOperation"].text for x in rows(r)] == operations


def test_activity_is_per_caller(news, funded):
    assert rows(news.call("GetAccountActivity", StartDate=LONG_AGO)) == []


def test_activity_date_range(fps, funded):
    future = timestamp(datetime.now(timezone.utc) + timedelta(days=1))
    assert fps.call("GetAccountActivity", StartDate=future).error_code == "InvalidDateRange"
    r = fps.call("GetAccountActivity", StartDate=LONG_AGO, EndDate="1999-01-01T00:00:00Z")
    assert r.error_code == "InvalidDateRange"
    assert rows(fps.call("GetAccountActivity", StartDate=LONG_AGO, EndDate="2001-01-01T00:00:00Z")) == []


@pytest.mark.parametrize("params, code", [
    ({}, "InvalidParams"),
    ({"StartDate": "yesterday"}, "InvalidParameterValue"),
    ({"StartDate": LONG_AGO, "MaxBatchSize": "0"}, "InvalidParams"),
    ({"StartDate": LONG_AGO, "MaxBatchSize": "many"}, "InvalidParams"),
    ({"StartDate": LONG_AGO, "SortOrderByDate": "Random"}, "InvalidParams"),
    ({"StartDate": LONG_AGO, "FPSOperation": "Steal"}, "InvalidParams"),
    ({"StartDate": LONG_AGO, "Role.1": "Thief"}, "InvalidParams"),
    ({"StartDate": LONG_AGO, "Role.4": "Sender"}, "InvalidRequest"),
])
def test_activity_bad_parameters(fps, params, code):
    assert fps.call("GetAccountActivity", **params).error_code == code


def test_a_refund_lists_its_caller_and_sender(fps, funded):
    paid = fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="song", **amount("0.50"))
    fps.call("Refund", TransactionId=paid.find("PayResult/TransactionId"), CallerReference="back")
    r = fps.call("GetAccountActivity", StartDate=LONG_AGO, FPSOperation="Refund")
    (refund,) = [t for t in r.xml.iter() if t.tag.endswith("}Transaction")]
    assert roles(refund) == ["Caller", "Sender"]
    sender = [p for p in refund if p.tag.endswith("}TransactionPart")][1]
    assert any(c.tag.endswith("}InstrumentId") and c.text == funded["prepaidInstrumentID"] for c in sender)
