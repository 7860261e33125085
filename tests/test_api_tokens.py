"""Token management: CancelToken for every token type, GetTokenByCaller, GetTokens, GetTokenUsage."""

import pytest

from conftest import NEWS_KEY, NEWS_SECRET, postpaid_params


def amount(value, prefix="TransactionAmount"):
    return {f"{prefix}.Value": value, f"{prefix}.CurrencyCode": "USD"}


def token_ids(r):
    return [t.text for t in r.xml.iter() if t.tag.endswith("}TokenId")]


@pytest.mark.parametrize("role, use", [
    ("prepaidSenderTokenID", lambda fps, ret: fps.call("Pay", SenderTokenId=ret["prepaidSenderTokenID"],
                                                       CallerReference="after", **amount("0.50"))),
    ("fundingTokenID", lambda fps, ret: fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"],
                                                 PrepaidInstrumentId=ret["prepaidInstrumentID"],
                                                 CallerReference="after", **amount("1.00", "FundingAmount"))),
])
def test_cancelled_prepaid_tokens_are_refused(fps, buyer, role, use):
    from conftest import prepaid_params

    ret = buyer.authorize(prepaid_params())
    r = fps.call("CancelToken", TokenId=ret[role], ReasonText="customer asked")
    assert r.status == 200 and r.xml.tag.endswith("CancelTokenResponse")
    refused = use(fps, ret)
    assert refused.error_code == "TokenNotActive_Sender" and ret[role] in refused.error_message
    again = fps.call("CancelToken", TokenId=ret[role])  # harmless
    assert again.status == 200


@pytest.mark.parametrize("role", ["creditSenderTokenID", "settlementTokenID"])
def test_cancelled_postpaid_tokens_are_refused(news, tab, role):
    news.call("Pay", SenderTokenId=tab["creditSenderTokenID"], CallerReference="before", **amount("1.00"))
    assert news.call("CancelToken", TokenId=tab[role]).status == 200
    if role == "creditSenderTokenID":
        r = news.call("Pay", SenderTokenId=tab[role], CallerReference="after", **amount("1.00"))
    else:
        r = news.call("SettleDebt", SenderTokenId=tab[role], CreditInstrumentId=tab["creditInstrumentID"],
                      CallerReference="after", **amount("1.00", "SettlementAmount"))
    assert r.error_code == "TokenNotActive_Sender"
    status = news.call("GetTokenByCaller", TokenId=tab[role])
    assert status.find("GetTokenByCallerResult/Token/TokenStatus") == "Inactive"


def test_cancel_someone_elses_or_unknown_token(fps, news, tab):
    assert fps.call("CancelToken", TokenId=tab["creditSenderTokenID"]).error_code == "InvalidTokenId"
    assert fps.call("CancelToken", TokenId="NOPE").error_code == "InvalidTokenId"
    assert news.call("GetTokenByCaller", TokenId=tab["creditSenderTokenID"]).find(
        "GetTokenByCallerResult/Token/TokenStatus") == "Active"


def test_get_token_by_caller(news, tab):
    by_ref = news.call("GetTokenByCaller", CallerReference="reader-1")
    assert by_ref.find("GetTokenByCallerResult/Token/TokenId") == tab["creditSenderTokenID"]
    assert by_ref.find("GetTokenByCallerResult/Token/TokenType") == "MultiUse"
    assert by_ref.find("GetTokenByCallerResult/Token/OldTokenId") == tab["creditSenderTokenID"]
    by_id = news.call("GetTokenByCaller", TokenId=tab["settlementTokenID"])
    assert by_id.find("GetTokenByCallerResult/Token/CallerReference") == "settle-1"
    assert news.call("GetTokenByCaller", CallerReference="nope").error_code == "InvalidCallerReference"
    assert news.call("GetTokenByCaller", TokenId="NOPE").error_code == "InvalidTokenId"
    for params in ({}, {"TokenId": tab["settlementTokenID"], "CallerReference": "settle-1"}):
        r = news.call("GetTokenByCaller", **params)
        assert r.error_code == "InvalidParams" and "exactly one of TokenId and CallerReference" in r.error_message


def test_get_tokens_filters(news, fps, tab, funded):
    assert sorted(token_ids(news.call("GetTokens"))) == sorted([tab["creditSenderTokenID"], tab["settlementTokenID"]])
    news.call("CancelToken", TokenId=tab["settlementTokenID"])
    assert token_ids(news.call("GetTokens", TokenStatus="Active")) == [tab["creditSenderTokenID"]]
    assert token_ids(news.call("GetTokens", TokenStatus="Inactive")) == [tab["settlementTokenID"]]
    assert token_ids(news.call("GetTokens", CallerReference="settle-1")) == [tab["settlementTokenID"]]
    assert token_ids(news.call("GetTokens", TokenType="SingleUse")) == []
    assert token_ids(news.call("GetTokens", TokenFriendlyName="x")) == []
    assert news.call("GetTokens", TokenStatus="Sleeping").error_code == "InvalidParams"
    assert len(token_ids(fps.call("GetTokens"))) == 2  # DigitalDownload's own, not The Daily Byte's


def test_get_token_usage(news, buyer):
    tab = buyer.authorize(postpaid_params(usageLimitType1="Amount", usageLimitPeriod1="1 Day", usageLimitValue1="5.00",
                                          usageLimitType2="Count", usageLimitPeriod2="1 Week", usageLimitValue2="10"),
                          email="reader@example.com", method_label="Mastercard", key=NEWS_KEY, secret=NEWS_SECRET)
    for n in range(3):
        news.call("Pay", SenderTokenId=tab["creditSenderTokenID"], CallerReference=f"p{n}", **amount("1.25"))
    r = news.call("GetTokenUsage", TokenId=tab["creditSenderTokenID"])
    limits = [c for c in r.xml.iter() if c.tag.endswith("}TokenUsageLimits")]
    assert len(limits) == 2
    texts = lambda node: {c.tag.split("}")[1]: (c.text or "".join(x.text for x in c if x.tag.endswith("Value")))  # noqa: E731
                          for c in node}
    first, second = texts(limits[0]), texts(limits[1])
    assert first["Amount"] == "5.000000" and first["LastResetAmount"] == "3.750000" and first["LastResetTimestamp"]
    assert second["Count"] == "10" and second["LastResetCount"] == "3"
    none = news.call("GetTokenUsage", TokenId=tab["settlementTokenID"])
    assert none.status == 200 and not [c for c in none.xml.iter() if c.tag.endswith("}TokenUsageLimits")]
    assert news.call("GetTokenUsage", TokenId="NOPE").error_code == "InvalidTokenId"
