"""Every registered action renders well-formed FPS XML in both namespaces, escapes hostile
text, and keeps leaf values free of whitespace."""

import re
import xml.etree.ElementTree as ET

import pytest

from conftest import DD_KEY, DD_SECRET, NEWS_KEY, NEWS_SECRET, signed_params
from sandbox.api.actions import REGISTRY

HOSTILE = "T&1<>\"' ünï €"


@pytest.fixture
def pending(app, fps, buyer):
    """A card funding left Pending (the delay switched on for it)."""
    from dataclasses import replace
    from datetime import timedelta

    from conftest import prepaid_params, services_of

    svc = services_of(app)
    svc.policy = replace(svc.policy, pending_delay=timedelta(hours=1))
    ret = buyer.authorize(prepaid_params("p"), method_label="Visa")
    r = fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
                 CallerReference="pending-1", **{"FundingAmount.Value": "5.00"})
    assert r.find("FundPrepaidResult/TransactionStatus") == "Pending"
    return r.find("FundPrepaidResult/TransactionId")


def call_each(fps, funded, version, news=None, tab=None, pending=None):
    pay = fps.raw(signed_params("Pay", {"SenderTokenId": funded["prepaidSenderTokenID"], "CallerReference": HOSTILE,
                                        "TransactionAmount.Value": "0.50", "TransactionAmount.CurrencyCode": "USD",
                                        "CallerDescription": HOSTILE, "SenderDescription": HOSTILE},
                                DD_KEY, DD_SECRET, version=version))
    tid = pay.find("PayResult/TransactionId")
    params = {
        "Pay": {"SenderTokenId": funded["prepaidSenderTokenID"], "CallerReference": HOSTILE,
                "TransactionAmount.Value": "0.50", "TransactionAmount.CurrencyCode": "USD",
                "CallerDescription": HOSTILE, "SenderDescription": HOSTILE},
        "FundPrepaid": {"SenderTokenId": funded["fundingTokenID"], "PrepaidInstrumentId": funded["prepaidInstrumentID"],
                        "CallerReference": "fund-call-1", "FundingAmount.Value": "10.00",
                        "FundingAmount.CurrencyCode": "USD"},
        "GetPrepaidBalance": {"PrepaidInstrumentId": funded["prepaidInstrumentID"]},
        "GetTotalPrepaidLiability": {},
        "GetTransactionStatus": {"TransactionId": tid},
        "GetTransaction": {"TransactionId": tid},
        "GetDebtBalance": {"CreditInstrumentId": tab["creditInstrumentID"]},
        "GetOutstandingDebtBalance": {},
        "SettleDebt": {"SenderTokenId": tab["settlementTokenID"], "CreditInstrumentId": tab["creditInstrumentID"],
                       "CallerReference": "settle-1", "SettlementAmount.Value": "1.00",
                       "SettlementAmount.CurrencyCode": "USD", "CallerDescription": HOSTILE},
        "WriteOffDebt": {"CreditInstrumentId": tab["creditInstrumentID"], "CallerReference": "writeoff-1",
                         "AdjustmentAmount.Value": "0.50", "AdjustmentAmount.CurrencyCode": "USD",
                         "CallerDescription": HOSTILE},
        "Refund": {"TransactionId": tid, "CallerReference": "refund-1", "RefundAmount.Value": "0.10",
                   "RefundAmount.CurrencyCode": "USD", "CallerDescription": HOSTILE},
        "Cancel": {"TransactionId": pending, "Description": HOSTILE},
        "GetTokenByCaller": {"CallerReference": "sender-1"},
        "GetTokens": {},
        "GetTokenUsage": {"TokenId": funded["prepaidSenderTokenID"]},
        "GetAccountBalance": {},
        "GetAccountActivity": {"StartDate": "2000-01-01T00:00:00Z", "MaxBatchSize": "2"},
        "CancelToken": {"TokenId": funded["fundingTokenID"], "ReasonText": HOSTILE},
        "GetRecipientVerificationStatus": {"RecipientTokenId": funded["prepaidSenderTokenID"]},
        "VerifySignature": {"UrlEndPoint": "https://merchant.example.com/r",
                            "HttpParameters": "a=b&certificateUrl=x&signature=y&signatureVersion=2&signatureMethod=RSA-SHA1"},
    }
    assert set(params) == set(REGISTRY), "a new action needs a case here"
    news.call("Pay", SenderTokenId=tab["creditSenderTokenID"], CallerReference="article-1",
              **{"TransactionAmount.Value": "2.00"})
    postpaid = {"GetDebtBalance", "GetOutstandingDebtBalance", "SettleDebt", "WriteOffDebt"}
    return {a: (news if a in postpaid else fps).raw(signed_params(
        a, p, *((NEWS_KEY, NEWS_SECRET) if a in postpaid else (DD_KEY, DD_SECRET)), version=version))
        for a, p in params.items()}


@pytest.mark.parametrize("version", ["2008-09-17", "2010-08-28", "2011-09-20"])
def test_every_action_renders_well_formed_xml(fps, news, funded, tab, pending, version):
    for action, r in call_each(fps, funded, version, news, tab, pending).items():
        assert r.status == 200, (action, r.text)
        assert r.text.startswith('<?xml version="1.0"?>\n<' + action + 'Response xmlns="http://fps.amazonaws.com/doc/'
                                 + version + '/">')
        root = ET.fromstring(r.text)
        names = [c.tag.split("}")[1] for c in root]
        expected = [] if action == "CancelToken" else [action + "Result"]  # CancelToken answers metadata only
        assert names[-1] == "ResponseMetadata" and names[:-1] == expected, (action, names)
        for node in root.iter():
            if len(node) == 0 and node.text is not None:
                assert node.text == node.text.strip(), (action, node.tag, node.text)
        for amount in root.iter():
            children = [c.tag.split("}")[1] for c in amount]
            if "CurrencyCode" in children:
                assert children == ["CurrencyCode", "Value"], (action, amount.tag)
                assert re.fullmatch(r"-?\d+\.\d{6}", amount[1].text)


def test_hostile_text_is_escaped(fps, news, funded, tab, pending):
    r = call_each(fps, funded, "2008-09-17", news, tab, pending)["GetTransaction"]
    assert "T&amp;1&lt;&gt;" in r.text
    t = ET.fromstring(r.text).find(".//{http://fps.amazonaws.com/doc/2008-09-17/}CallerDescription")
    assert t.text == HOSTILE
