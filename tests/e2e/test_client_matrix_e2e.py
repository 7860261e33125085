"""The client matrix: one short prepaid story (install, fund, Pay, balance, status, verify the return URL)
driven against the real server by each way published integrations called FPS:

- boto 2.49 at API version 2008-09-17, and stock boto 2.49 at its default 2010-08-28;
- Amazon's PHP helper: the API calls as boto makes them at 2008-09-17, the return URL verified with the
  helper's unsigned GET, rebuilt byte for byte, in both of its encodings (tests/clients/php_helper.py);
- Kickstarter's amazon_flex_pay: every call signed and encoded as the gem does, Version 2011-09-20
  (tests/clients/flex_pay.py).

Each client fails the test if the sandbox refuses anything it sends. The funding is by card, so it is
Pending for a second and the status is read until it completes."""

from __future__ import annotations

import time
import urllib.request
import xml.etree.ElementTree as ET
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest

from clients import flex_pay
from sandbox.compat.boto2 import connect
from clients.php_helper import verify_signature_query
from e2e.test_story_e2e import DD_KEY, DD_SECRET, boto_cbui_link, click_through

pytestmark = pytest.mark.e2e


def fps_xml(url: str, namespace_version: str) -> ET.Element:
    """GET an FPS URL; the reply must be a success in the version's own namespace."""
    with urllib.request.urlopen(url, timeout=10) as reply:  # noqa: S310 - the local sandbox
        root = ET.fromstring(reply.read())
    assert root.tag.startswith(f"{{http://fps.amazonaws.com/doc/{namespace_version}/}}"), root.tag
    return root


def text(root: ET.Element, name: str) -> str:
    return next(node.text for node in root.iter() if node.tag.endswith("}" + name))


class Boto:
    """boto 2.49's FPS client, at an API version of our choosing (its default is 2010-08-28)."""

    def __init__(self, server: dict, version: str | None) -> None:
        self.fps = connect("127.0.0.1", server["port"], DD_KEY, DD_SECRET)
        if version:
            self.fps.APIVersion = version

    def fund(self, instrument: str, token: str, ref: str) -> tuple[str, str]:
        r = self.fps.fund_prepaid(PrepaidInstrumentId=instrument, SenderTokenId=token, FundingAmount="10.00",
                                  CallerReference=ref).FundPrepaidResult
        return r.TransactionId, r.TransactionStatus

    def pay(self, token: str, ref: str) -> str:
        return self.fps.pay(SenderTokenId=token, TransactionAmount="0.50", CallerReference=ref).PayResult.TransactionStatus

    def balance(self, instrument: str) -> Decimal:
        r = self.fps.get_prepaid_balance(PrepaidInstrumentId=instrument)
        return Decimal(r.GetPrepaidBalanceResult.PrepaidBalance.AvailableBalance.Value)

    def status(self, transaction_id: str) -> str:
        return self.fps.get_transaction_status(TransactionId=transaction_id).GetTransactionStatusResult.TransactionStatus

    def verify(self, url_end_point: str, query: str) -> list[str]:
        r = self.fps.verify_signature(UrlEndPoint=url_end_point, HttpParameters=query)
        return [r.VerifySignatureResult.VerificationStatus]


class PhpHelper(Boto):
    """Amazon's PHP samples: the API at 2008-09-17; the return URL checked with the helper's unsigned GET."""

    def __init__(self, server: dict, version: str | None) -> None:
        super().__init__(server, "2008-09-17")
        self.base = server["url"]

    def verify(self, url_end_point: str, query: str) -> list[str]:
        params = dict(parse_qsl(query, keep_blank_values=True))
        return [text(fps_xml(f"{self.base}/?{verify_signature_query(url_end_point, params, plus_as_space=plus)}",
                             "2008-09-17"), "VerificationStatus") for plus in (True, False)]


class FlexPay:
    """amazon_flex_pay 0.10: signed GETs at Version 2011-09-20, nested amounts, its own escaping."""

    def __init__(self, server: dict, version: str | None) -> None:
        self.endpoint = server["url"] + "/"

    def call(self, action: str, **params) -> ET.Element:
        return fps_xml(flex_pay.signed_url(self.endpoint, action, params, DD_KEY, DD_SECRET), flex_pay.API_VERSION)

    def fund(self, instrument: str, token: str, ref: str) -> tuple[str, str]:
        r = self.call("FundPrepaid", PrepaidInstrumentId=instrument, SenderTokenId=token, CallerReference=ref,
                      FundingAmount={"CurrencyCode": "USD", "Value": "10.00"})
        return text(r, "TransactionId"), text(r, "TransactionStatus")

    def pay(self, token: str, ref: str) -> str:
        return text(self.call("Pay", SenderTokenId=token, CallerReference=ref,
                              TransactionAmount={"CurrencyCode": "USD", "Value": "0.50"}), "TransactionStatus")

    def balance(self, instrument: str) -> Decimal:
        r = self.call("GetPrepaidBalance", PrepaidInstrumentId=instrument)
        available = next(node for node in r.iter() if node.tag.endswith("}AvailableBalance"))
        return Decimal(text(available, "Value"))

    def status(self, transaction_id: str) -> str:
        return text(self.call("GetTransactionStatus", TransactionId=transaction_id), "TransactionStatus")

    def verify(self, url_end_point: str, query: str) -> list[str]:
        return [text(self.call("VerifySignature", UrlEndPoint=url_end_point, HttpParameters=query),
                     "VerificationStatus")]


CLIENTS = {"boto-2008-09-17": (Boto, "2008-09-17"), "boto-2010-08-28": (Boto, None),
           "php-helper": (PhpHelper, None), "amazon_flex_pay-2011-09-20": (FlexPay, None)}


@pytest.mark.parametrize("name", list(CLIENTS))
def test_prepaid_story(live_server, merchant, page, name):
    kind, version = CLIENTS[name]
    client = kind(live_server, version)
    link = boto_cbui_link(live_server, merchant, fundingAmount="10.00", callerReferenceFunding=f"{name}-fund",
                          callerReferenceSender=f"{name}-sender", paymentMethod="CC",
                          return_query="order=42&note=two+songs+%26+a+book")  # spaces: PHP's encodings differ
    click_through(page, link, "Visa ending in 1111")
    assert page.inner_text("#status") == "SC"
    back = merchant.received[-1]
    ret = dict(parse_qsl(urlsplit(back).query))
    assert ret["note"] == "two songs & a book"
    return_url = f"{merchant.url}/fps/return"

    verdicts = client.verify(return_url, urlsplit(back).query)
    assert verdicts and set(verdicts) == {"Success"}, verdicts
    tampered = urlsplit(back).query.replace("status=SC", "status=SA")
    assert set(client.verify(return_url, tampered)) == {"Failure"}

    instrument = ret["prepaidInstrumentID"]
    funding, status = client.fund(instrument, ret["fundingTokenID"], f"{name}-funding")
    assert status == "Pending"  # by card: Pending for FPS_PENDING_SECONDS
    for _ in range(50):
        if client.status(funding) == "Success":
            break
        time.sleep(0.1)
    assert client.status(funding) == "Success"
    assert client.balance(instrument) == Decimal("10")
    for n in range(3):
        assert client.pay(ret["prepaidSenderTokenID"], f"{name}-song-{n}") == "Success"
    assert client.balance(instrument) == Decimal("8.50")
