"""Calls published FPS integrations really made: unsigned VerifySignature as Amazon's PHP helper and the
remit gem send it, OverrideIPNURL where the 2010-08-28 schema has it, Version 2011-09-20, and error
messages in the request's own namespace."""

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import select

from clients.php_helper import http_build_query, rawurlencode, verify_signature_query
from conftest import DD_KEY, DD_SECRET, NEWS_KEY, NEWS_SECRET, cbui_link, prepaid_params, services_of, signed_params
from sandbox.models import ApiCall, Notification

RETURN = "https://merchant.example.com/fps/return"


@pytest.fixture
def redirect(buyer) -> str:
    """A signed return-URL redirect; the caller's own returnURL query has a value with spaces and a `~`."""
    own = "https://merchant.example.com/fps/return?order=42&note=two+songs+%26+a+book+~+more"
    started = buyer.start(cbui_link(prepaid_params(returnURL=own)))
    return buyer.confirm(buyer.choose(buyer.sign_in(started), "Amazon Payments balance")).headers["Location"]


def error(r) -> tuple[str, str]:
    """(Code, Message) of an FPS error reply."""
    root = ET.fromstring(r.data)
    return root.findtext("Errors/Error/Code"), root.findtext("Errors/Error/Message")


def received(location: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(location).query, keep_blank_values=True))


def status(r) -> str:
    assert r.status_code == 200, r.get_data(as_text=True)
    text = r.get_data(as_text=True)
    assert "<VerifySignatureResponse" in text
    return text.split("<VerificationStatus>")[1].split("<")[0]


@pytest.mark.parametrize("plus_as_space", [True, False], ids=["http_build_query", "plus-as-%20"])
def test_the_php_helpers_unsigned_get_is_answered(client, redirect, plus_as_space):
    params = received(redirect)
    assert params["note"] == "two songs & a book ~ more"  # where PHP's encodings differ
    query = verify_signature_query(RETURN, params, plus_as_space=plus_as_space)
    assert status(client.get("/?" + query)) == "Success"


def test_unsigned_and_tampered_or_misaddressed_is_failure(client, redirect):
    params = received(redirect)
    assert status(client.get("/?" + verify_signature_query(RETURN, {**params, "status": "SC"}))) == "Failure"
    other = "https://merchant.example.com/elsewhere"
    assert status(client.get("/?" + verify_signature_query(other, params))) == "Failure"
    forged = {**params, "certificateUrl": "https://attacker.example.com/certs/x/PKICert.pem"}
    assert status(client.get("/?" + verify_signature_query(RETURN, forged))) == "Failure"


def test_unsigned_post_and_url_end_point_with_its_query(client, redirect):
    params = received(redirect)
    form = {"Action": "VerifySignature", "UrlEndPoint": RETURN, "HttpParameters": urlsplit(redirect).query,
            "Version": "2010-08-28"}
    assert status(client.post("/", data=form)) == "Success"
    # the return URL's own query on UrlEndPoint, the rest in HttpParameters (the remit gem's split)
    own = {"order": params.pop("order")}
    with_query = f"{RETURN}?{http_build_query(own)}"
    assert status(client.get(f"/?Action=VerifySignature&UrlEndPoint={rawurlencode(with_query)}"
                             f"&HttpParameters={rawurlencode(http_build_query(params))}&Version=2008-09-17")) == "Success"


def test_unsigned_verification_is_logged_and_reveals_nothing_else(app, client, redirect):
    client.get("/?" + verify_signature_query(RETURN, received(redirect)))
    with services_of(app).storage.read() as conn:
        call = conn.execute(select(ApiCall.action, ApiCall.verdict, ApiCall.caller_id, ApiCall.http_status)
                            .order_by(ApiCall.id.desc())).first()
    assert tuple(call) == ("VerifySignature", "unsigned", None, 200)


@pytest.mark.parametrize("query, code, named", [
    ("Action=VerifySignature&UrlEndPoint=x&HttpParameters=a%3Db", "MissingParameter", "Version"),
    ("Action=VerifySignature&HttpParameters=a%3Db&Version=2008-09-17", "InvalidParams", "UrlEndPoint"),
    ("Action=VerifySignature&UrlEndPoint=ftp%3A%2F%2Fx&HttpParameters=a%3Db&Version=2008-09-17", "InvalidParams",
     "UrlEndPoint"),
    ("Action=VerifySignature&UrlEndPoint=http%3A%2F%2Fx%2Fr&HttpParameters=a%3Db&Version=2008-09-17", "InvalidParams",
     "certificateUrl"),
    ("Action=VerifySignature&UrlEndPoint=http%3A%2F%2Fx%2Fr&HttpParameters=a%3Db&Version=2008-09-17&Extra=1",
     "InvalidRequest", "Extra"),
    ("Action=VerifySignature&UrlEndPoint=http%3A%2F%2Fx%2Fr&HttpParameters=a%3Db&Version=2008-09-17&Signature=x",
     "MissingParameter", "AWSAccessKeyId"),
    ("Action=GetAccountBalance&Version=2008-09-17", "MissingParameter", "AWSAccessKeyId"),
    ("Action=Pay&Version=2008-09-17&SenderTokenId=X&CallerReference=r&TransactionAmount.Value=1",
     "MissingParameter", "AWSAccessKeyId"),
])
def test_unsigned_requests_that_are_not_a_verification_are_refused(client, query, code, named):
    r = client.get("/?" + query)
    answered, message = error(r)
    assert r.status_code == 400 and answered == code and named in message, (answered, message)


def test_a_signed_verification_is_still_checked(client, redirect):
    params = {"UrlEndPoint": RETURN, "HttpParameters": urlsplit(redirect).query}
    good = signed_params("VerifySignature", params, DD_KEY, DD_SECRET)
    assert status(client.post("/", data=good)) == "Success"
    bad = {**good, "Signature": "AAAA" + good["Signature"][4:]}
    r = client.post("/", data=bad)
    assert r.status_code == 403 and b"<Code>SignatureDoesNotMatch</Code>" in r.data


# --- OverrideIPNURL where the 2010-08-28 schema has it --------------------------------------------
def notification_urls(app) -> list:
    with services_of(app).storage.read() as conn:
        return [tuple(n) for n in conn.execute(select(Notification.notification_type, Notification.url)
                                               .order_by(Notification.id))]


@pytest.mark.parametrize("version", ["2010-08-28", "2011-09-20"])
def test_override_ipn_url_on_cancel_token(app, client, funded, version):
    data = signed_params("CancelToken", {"TokenId": funded["fundingTokenID"], "OverrideIPNURL": "http://h.example/ipn"},
                         DD_KEY, DD_SECRET, version=version)
    r = client.post("/", data=data)
    assert r.status_code == 200, r.data
    assert notification_urls(app)[-1] == ("TokenCancellation", "http://h.example/ipn")


def test_override_ipn_url_on_cancel(app, client, fps, buyer):
    svc = services_of(app)
    svc.policy = replace(svc.policy, pending_delay=timedelta(hours=1))  # a card funding stays Pending
    ret = buyer.authorize(prepaid_params("p"), method_label="Visa")
    r = fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
                 CallerReference="pending-1", **{"FundingAmount.Value": "5.00"})
    assert r.find("FundPrepaidResult/TransactionStatus") == "Pending"
    data = signed_params("Cancel", {"TransactionId": r.find("FundPrepaidResult/TransactionId"),
                                    "OverrideIPNURL": "http://h.example/cancelled"}, DD_KEY, DD_SECRET,
                         version="2010-08-28")
    assert client.post("/", data=data).status_code == 200
    assert notification_urls(app)[-1] == ("TransactionStatus", "http://h.example/cancelled")
    bad = signed_params("Cancel", {"TransactionId": "X", "OverrideIPNURL": "ftp://h.example/"}, DD_KEY, DD_SECRET,
                        version="2010-08-28")
    answer = client.post("/", data=bad)
    assert answer.status_code == 400 and b"OverrideIPNURL must be an http or https URL." in answer.data


def test_override_ipn_url_where_the_schema_lacks_it_is_refused(app, client, tab):
    data = signed_params("WriteOffDebt", {"CreditInstrumentId": tab["creditInstrumentID"], "CallerReference": "w",
                                          "AdjustmentAmount.Value": "1.00", "OverrideIPNURL": "http://h.example/ipn"},
                         NEWS_KEY, NEWS_SECRET, version="2010-08-28")
    r = client.post("/", data=data)
    code, message = error(r)
    assert r.status_code == 400 and code == "InvalidRequest"
    assert '"http://fps.amazonaws.com/doc/2010-08-28/:OverrideIPNURL"' in message  # the request's own namespace


def test_override_ipn_url_is_newer_than_2008_09_17(client, funded):
    data = signed_params("Pay", {"SenderTokenId": funded["prepaidSenderTokenID"], "CallerReference": "p",
                                 "TransactionAmount.Value": "0.50", "OverrideIPNURL": "http://h.example/ipn"},
                         DD_KEY, DD_SECRET)
    r = client.post("/", data=data)
    code, message = error(r)
    assert r.status_code == 400 and code == "InvalidRequest"
    assert '"http://fps.amazonaws.com/doc/2008-09-17/:OverrideIPNURL"' in message


# --- Version 2011-09-20 -----------------------------------------------------------------------------
def test_version_2011_09_20_is_answered_in_its_own_namespace(client, funded):
    data = signed_params("Pay", {"SenderTokenId": funded["prepaidSenderTokenID"], "CallerReference": "p",
                                 "TransactionAmount.Value": "0.50"}, DD_KEY, DD_SECRET, version="2011-09-20")
    r = client.post("/", data=data)
    assert r.status_code == 200 and b'<PayResponse xmlns="http://fps.amazonaws.com/doc/2011-09-20/">' in r.data


def test_an_unknown_version_names_the_parameter(client):
    r = client.post("/", data=signed_params("GetAccountBalance", {}, DD_KEY, DD_SECRET, version="2012-01-01"))
    assert r.status_code == 400 and b"<Code>InvalidParameterValue</Code>" in r.data
    assert b"parameter Version is invalid" in r.data and b"2011-09-20" in r.data
