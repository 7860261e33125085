"""Co-Branded SetupPostpaid: every input of §3.4 checked, the same pages and outcomes as
SetupPrepaid, and the signed redirect with the credit instrument and both tokens."""

import pytest
from sqlalchemy import select

from conftest import NEWS_KEY, NEWS_SECRET, cbui_link, postpaid_params, returned, services_of
from sandbox.models import Instrument, Token, UsageLimit


def link(**change):
    return cbui_link({**postpaid_params(), **change}, key=NEWS_KEY, secret=NEWS_SECRET)


def test_success_returns_the_credit_instrument_and_tokens(app, fps, buyer):
    ret = buyer.authorize(postpaid_params(), email="reader@example.com", method_label="Mastercard",
                          key=NEWS_KEY, secret=NEWS_SECRET)
    assert ret["status"] == "SC" and ret["expiry"] == "10/2028" and ret["order"] == "42"
    assert {"creditInstrumentID", "creditSenderTokenID", "settlementTokenID"} <= set(ret)
    assert not {"prepaidInstrumentID", "fundingTokenID"} & set(ret)
    with services_of(app).storage.read() as conn:
        inst = conn.execute(select(Instrument.kind, Instrument.limit_cents, Instrument.global_limit_cents,
                                   Instrument.debt_cents, Instrument.payment_method)).one()
        roles = dict(conn.execute(select(Token.token_id, Token.role)).all())
    assert tuple(inst) == ("Credit", 2000, 10000, 0, "CC")
    assert roles == {ret["creditSenderTokenID"]: "CreditSender", ret["settlementTokenID"]: "Settlement"}


def test_redirect_signature_verifies(client, buyer, fps):
    started = buyer.start(link())
    response = buyer.confirm(buyer.choose(buyer.sign_in(started, "reader@example.com"), "Mastercard"))
    from urllib.parse import urlsplit

    parts = urlsplit(response.headers["Location"])
    r = fps.call("VerifySignature", UrlEndPoint=f"{parts.scheme}://{parts.netloc}{parts.path}",
                 HttpParameters=parts.query)
    assert r.find("VerifySignatureResult/VerificationStatus") == "Success"


@pytest.mark.parametrize("change, named", [
    ({"creditLimit": None}, "missing: [creditLimit]"),
    ({"globalAmountLimit": None}, "missing: [globalAmountLimit]"),
    ({"callerReferenceSender": None}, "missing: [callerReferenceSender]"),
    ({"callerReferenceSettlement": None}, "missing: [callerReferenceSettlement]"),
    ({"callerReferenceSettlement": "reader-1"}, "not well formed: [callerReferenceSettlement]"),
    ({"callerReferenceSettlement": "\x07bell"}, "not well formed: [callerReferenceSettlement]"),
    ({"creditLimit": "twenty"}, "not well formed: [creditLimit]"),
    ({"creditLimit": "0"}, "not well formed: [creditLimit]"),
    ({"globalAmountLimit": "-5"}, "not well formed: [globalAmountLimit]"),
    ({"paymentMethod": "CC,PAYPAL"}, "not well formed: [paymentMethod]"),
    ({"validityExpiry": "1"}, "not well formed: [validityExpiry]"),
    ({"usageLimitType1": "Amount"}, "missing: [usageLimitPeriod1, usageLimitValue1]"),
    ({"usageLimitType1": "Amount", "usageLimitPeriod1": "1 Day", "usageLimitValue1": "x"},
     "not well formed: [usageLimitValue1]"),
    ({"usageLimitType1": "Dollars", "usageLimitPeriod1": "1 Day", "usageLimitValue1": "1"},
     "not well formed: [usageLimitType1]"),
    ({"usageLimitType1": "Count", "usageLimitPeriod1": "fortnightly", "usageLimitValue1": "1"},
     "not well formed: [usageLimitPeriod1]"),
    ({"usageLimitType1": "Count", "usageLimitPeriod1": "1 Day", "usageLimitValue1": "1.5"},
     "not well formed: [usageLimitValue1]"),
    ({"usageLimitType2": "Count", "usageLimitPeriod2": "0 Day", "usageLimitValue2": "1"},
     "not well formed: [usageLimitPeriod2]"),
])
def test_malformed_or_missing_inputs_return_ce(app, client, change, named):
    ret = returned(client.get(link(**change)))
    assert ret["status"] == "CE" and named in ret["errorMessage"], ret["errorMessage"]
    with services_of(app).storage.read() as conn:
        assert conn.execute(select(Instrument.id)).first() is None


def test_usage_limits_are_stored_and_shown(app, client, buyer):
    started = buyer.start(link(usageLimitType1="Amount", usageLimitPeriod1="1 Month", usageLimitValue1="10.00",
                               usageLimitType2="Count", usageLimitPeriod2="2 weeks", usageLimitValue2="40"))
    chosen = buyer.choose(buyer.sign_in(started, "reader@example.com"), "Mastercard")
    html = client.get(chosen.headers["Location"]).get_data(as_text=True)
    for words in ("Confirm your tab", "Credit limit", "$20.00", "Total limit", "$100.00",
                  "$10.00 per 1 Month", "40 payments per 2 Weeks"):
        assert words in html, words
    returned(buyer.confirm(chosen))
    with services_of(app).storage.read() as conn:
        limits = conn.execute(select(UsageLimit.kind, UsageLimit.period_count, UsageLimit.period_unit,
                                     UsageLimit.value).order_by(UsageLimit.position)).all()
    assert [tuple(x) for x in limits] == [("Amount", 1, "Month", 1000), ("Count", 2, "Week", 40)]


def test_cancel_and_pe_and_np(app, client, buyer):
    started = buyer.start(link(paymentMethod="ACH"))
    r = client.get(buyer.sign_in(started, "reader@example.com").headers["Location"])
    assert returned(r)["status"] == "PE"  # Rita has no bank account
    buyer.authorize(postpaid_params(), email="reader@example.com", method_label="Mastercard",
                    key=NEWS_KEY, secret=NEWS_SECRET)
    ret = buyer.authorize(postpaid_params(), email="john@example.com", method_label="Visa",
                          key=NEWS_KEY, secret=NEWS_SECRET)
    assert ret["status"] == "NP"


def test_pages_describe_a_tab(client, buyer):
    started = buyer.start(link())
    html = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "open a tab of up to $20.00, paid later" in html and "The Daily Byte" in html
