"""Co-Branded SetupPrepaid: the signed start, every input check, every outcome status, and the
RSA-signed redirect that VerifySignature accepts."""

from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from conftest import DD_KEY, NEWS_KEY, NEWS_SECRET, cbui_link, csrf, prepaid_params, returned, services_of
from sandbox.runtime.certs import outbound_string_to_sign
from sandbox.models import CbuiPipeline, Instrument, Token
from sandbox.signature import hmac_sign, string_to_sign_v1


def count(app, model) -> int:
    with services_of(app).storage.read() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def verify(fps, location: str, verb_url: str | None = None) -> str:
    parts = urlsplit(location)
    r = fps.call("VerifySignature", UrlEndPoint=verb_url or f"{parts.scheme}://{parts.netloc}{parts.path}",
                 HttpParameters=parts.query)
    assert r.status == 200, r.text
    return r.find("VerifySignatureResult/VerificationStatus")


def test_success_redirect_keeps_the_return_query_and_is_signed(app, client, fps, buyer):
    started = buyer.start(cbui_link(prepaid_params()))
    chosen = buyer.choose(buyer.sign_in(started), "Amazon Payments balance")
    response = buyer.confirm(chosen)
    ret = returned(response)
    assert ret["order"] == "42" and ret["status"] == "SA"
    assert len(ret["prepaidInstrumentID"]) == len(ret["fundingTokenID"]) == len(ret["prepaidSenderTokenID"]) == 64
    assert "expiry" not in ret
    assert (ret["signatureVersion"], ret["signatureMethod"]) == ("2", "RSA-SHA1")
    signer = services_of(app).signer
    assert ret["certificateUrl"] == f"http://localhost/certs/{signer.cert_dir}/PKICert.pem"
    text = outbound_string_to_sign("GET", "https://merchant.example.com/fps/return", ret)
    assert signer.verify(text, ret["signature"])
    assert verify(fps, response.headers["Location"]) == "Success"
    with services_of(app).storage.read() as conn:
        roles = dict(conn.execute(select(Token.token_id, Token.role)).all())
        inst = conn.execute(select(Instrument.balance_cents, Instrument.limit_cents)).one()
    assert roles == {ret["fundingTokenID"]: "Funding", ret["prepaidSenderTokenID"]: "PrepaidSender"}
    assert tuple(inst) == (0, 1000)


def test_tampered_redirect_fails_verification(fps, buyer):
    started = buyer.start(cbui_link(prepaid_params()))
    location = buyer.confirm(buyer.choose(buyer.sign_in(started), "Amazon Payments balance")).headers["Location"]
    assert verify(fps, location.replace("status=SA", "status=SC")) == "Failure"
    assert verify(fps, location, "https://merchant.example.com/other") == "Failure"
    r = fps.call("VerifySignature", UrlEndPoint="https://merchant.example.com/fps/return",
                 HttpParameters="status=SA&signature=abc")
    assert r.error_code == "InvalidParams" and r.error_message == "certificateUrl is missing in 'HttpParameters'."
    r = fps.call("VerifySignature", UrlEndPoint="ftp://x/y?z=1", HttpParameters="a=b")
    assert r.error_code == "InvalidParams" and "is an invalid URL" in r.error_message


def test_card_adds_expiry_and_status_sc(buyer):
    ret = buyer.authorize(prepaid_params(), method_label="Visa ending in 1111")
    assert ret["status"] == "SC" and ret["expiry"] == "02/2029"


def test_bank_account_is_status_sb(buyer):
    ret = buyer.authorize(prepaid_params(), method_label="Checking account")
    assert ret["status"] == "SB" and "expiry" not in ret


def test_hmac_sha1_v1_and_amazon_hosts_are_accepted(buyer):
    assert buyer.authorize(prepaid_params("a"), algorithm="HmacSHA1")["status"] == "SA"
    assert buyer.authorize(prepaid_params("b"), host="authorize.payments-sandbox.amazon.com")["status"] == "SA"
    assert buyer.authorize(prepaid_params("c"), host="authorize.payments.amazon.com")["status"] == "SA"
    values = {"callerKey": DD_KEY, "pipelineName": "SetupPrepaid", **prepaid_params("d")}
    values["signature"] = hmac_sign("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                    string_to_sign_v1(values, exclude="signature"), "HmacSHA1")
    started = buyer.start("/cobranded-ui/actions/start?" + urlencode(values))
    assert started.status_code == 302 and "/sign-in" in started.headers["Location"]


def test_extra_caller_reference_and_missing_version_are_tolerated(buyer):
    link = cbui_link({**prepaid_params(), "CallerReference": "boto-adds-this", "version": None})
    started = buyer.start(link)
    assert started.status_code == 302 and "/sign-in" in started.headers["Location"]


def test_the_addressed_port_is_accepted(client):
    link = cbui_link(prepaid_params(), host="127.0.0.1:5000")
    r = client.get(link, base_url="http://127.0.0.1:5000")
    assert r.status_code == 302 and "/sign-in" in r.headers["Location"]


def test_bad_signature_gets_a_page_and_installs_nothing(app, client):
    link = cbui_link(prepaid_params()).replace("fundingAmount=10.00", "fundingAmount=99.00")
    r = client.get(link)
    html = r.get_data(as_text=True)
    assert r.status_code == 403 and "Invalid signature" in html and "String to sign computed by the sandbox" in html
    assert "fundingAmount=99.00" in html and "Likely cause: no common mistake" in html
    assert count(app, CbuiPipeline) == 0 and count(app, Instrument) == 0


def test_link_signed_by_another_caller(client):
    r = client.get(cbui_link(prepaid_params(), key=DD_KEY, secret=NEWS_SECRET))
    assert r.status_code == 403 and "Invalid signature" in r.get_data(as_text=True)


def test_missing_signature(client):
    values = {"callerKey": DD_KEY, "pipelineName": "SetupPrepaid", **prepaid_params()}
    r = client.get("/cobranded-ui/actions/start?" + urlencode(values))
    assert r.status_code == 403 and "no signature parameter" in r.get_data(as_text=True)


def test_unknown_caller(app, client):
    r = client.get(cbui_link(prepaid_params(), key="AKIANOBODY0000000000"))
    assert r.status_code == 403 and "Unknown caller" in r.get_data(as_text=True)
    assert count(app, CbuiPipeline) == 0


@pytest.mark.parametrize("url", [None, "javascript:alert(1)", "ftp://x/y", "not a url", "https://x/y#frag"])
def test_unusable_return_url_gets_a_page(client, url):
    r = client.get(cbui_link(prepaid_params(returnURL=url)))
    assert r.status_code == 400 and "Invalid returnURL" in r.get_data(as_text=True)


@pytest.mark.parametrize("change, named", [
    ({"fundingAmount": "ten"}, "not well formed: [fundingAmount]"),
    ({"fundingAmount": "0.00"}, "not well formed: [fundingAmount]"),
    ({"fundingAmount": "1.234"}, "not well formed: [fundingAmount]"),
    ({"fundingAmount": "100000.00"}, "not well formed: [fundingAmount]"),
    ({"fundingAmount": None}, "missing: [fundingAmount]"),
    ({"callerReferenceFunding": None}, "missing: [callerReferenceFunding]"),
    ({"callerReferenceSender": "s" * 129}, "not well formed: [callerReferenceSender]"),
    ({"callerReferenceSender": "fund-1"}, "not well formed: [callerReferenceSender]"),  # same as the funding one
    ({"currencyCode": "EUR"}, "not well formed: [currencyCode]"),
    ({"paymentMethod": "CC,BTC"}, "not well formed: [paymentMethod]"),
    ({"validityStart": "tomorrow"}, "not well formed: [validityStart]"),
    ({"validityStart": "100"}, "not well formed: [validityStart]"),
    ({"validityStart": "99999999999"}, "not well formed: [validityStart]"),
    ({"validityExpiry": "100"}, "not well formed: [validityExpiry]"),
    ({"version": "2007-01-08"}, "not well formed: [version]"),
    ({"cobrandingUrl": "http://insecure/logo.png"}, "not well formed: [cobrandingUrl]"),
    ({"collectShippingAddress": "maybe"}, "not well formed: [collectShippingAddress]"),
    ({"pipelineName": "Bogus"}, "pipelineName is not well formed"),
    ({"pipelineName": "SingleUse"}, "pipelineName is not supported by this sandbox yet"),
])
def test_malformed_or_missing_inputs_return_ce(app, client, fps, change, named):
    r = client.get(cbui_link({**prepaid_params(), **change}))
    ret = returned(r)
    assert ret["status"] == "CE" and named in ret["errorMessage"]
    assert ret["order"] == "42" and verify(fps, r.headers["Location"]) == "Success"
    assert count(app, CbuiPipeline) == 0


def test_several_bad_inputs_are_all_named(client):
    ret = returned(client.get(cbui_link({**prepaid_params(), "fundingAmount": "x", "currencyCode": "GBP",
                                         "callerReferenceSender": None})))
    assert ret["errorMessage"] == ("The following input(s) are not well formed: [fundingAmount, currencyCode]. "
                                   "The following input(s) are missing: [callerReferenceSender]")


def test_cancel_returns_status_a(app, client, buyer):
    started = buyer.start(cbui_link(prepaid_params()))
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    pid = started.headers["Location"].split("/")[3]
    r = client.post(f"/cobranded-ui/pipeline/{pid}/cancel", data={"csrf_token": csrf(page), "cancel": "1"})
    assert returned(r)["status"] == "A"
    assert count(app, Instrument) == 0
    again = client.get(started.headers["Location"])
    assert again.status_code == 409 and "Already finished" in again.get_data(as_text=True)


def test_no_allowed_method_is_status_pe(app, buyer):
    started = buyer.start(cbui_link(prepaid_params(paymentMethod="CC")))
    r = buyer.client.get(buyer.sign_in(started, "pat@example.com").headers["Location"])
    ret = returned(r)
    assert ret["status"] == "PE" and "CC" in ret["errorMessage"]
    assert count(app, Instrument) == 0


def test_only_allowed_methods_are_offered(client, buyer):
    started = buyer.start(cbui_link(prepaid_params(paymentMethod="CC")))
    html = client.get(buyer.sign_in(started).headers["Location"]).get_data(as_text=True)
    assert "Visa ending in 1111" in html
    assert "Amazon Payments balance" not in html and "Checking account" not in html


def test_default_payment_method_is_abt(client, buyer):
    params = prepaid_params()
    del params["paymentMethod"]
    started = buyer.start(cbui_link(params))
    html = client.get(buyer.sign_in(started).headers["Location"]).get_data(as_text=True)
    assert "Amazon Payments balance" in html and "Visa" not in html


def test_wrong_password(client, buyer):
    started = buyer.start(cbui_link(prepaid_params()))
    r = buyer.sign_in(started, password="wrong")
    assert r.status_code == 200 and "The e-mail or password is not right" in r.get_data(as_text=True)


def test_business_account_cannot_sign_in(buyer):
    started = buyer.start(cbui_link(prepaid_params()))
    r = buyer.sign_in(started, email="payments@digitaldownload.example")
    assert "The e-mail or password is not right" in r.get_data(as_text=True)


def test_sign_in_form_without_csrf_token_is_refused(client, buyer):
    started = buyer.start(cbui_link(prepaid_params()))
    r = client.post(started.headers["Location"], data={"email": "john@example.com", "password": "sandbox"})
    assert r.status_code == 400 and "security token" in r.get_data(as_text=True)


def test_pages_skipped_out_of_order_go_back(client, buyer):
    started = buyer.start(cbui_link(prepaid_params()))
    pid = started.headers["Location"].split("/")[3]
    assert client.get(f"/cobranded-ui/pipeline/{pid}/confirm").headers["Location"].endswith("/method")
    assert client.get(f"/cobranded-ui/pipeline/{pid}/method").headers["Location"].endswith("/sign-in")


def test_another_browser_cannot_use_the_pipeline(app, buyer):
    started = buyer.start(cbui_link(prepaid_params()))
    stranger = app.test_client()
    assert stranger.get(started.headers["Location"]).status_code == 404
    assert stranger.get("/cobranded-ui/pipeline/nonsense/sign-in").status_code == 404


def test_confirm_page_shows_caller_amount_and_only_allowed_html(client, buyer):
    reason = "<b>MP3s</b> for <i>you</i><script>alert(1)</script><img src=x onerror=alert(2)><a href='x'>link</a>"
    started = buyer.start(cbui_link(prepaid_params(paymentReason=reason, websiteDescription="Digital <Download>")))
    chosen = buyer.choose(buyer.sign_in(started), "Amazon Payments balance")
    html = client.get(chosen.headers["Location"]).get_data(as_text=True)
    assert "<b>MP3s</b> for <i>you</i>" in html and "$10.00" in html and "DigitalDownload" in html
    assert "<script>alert(1)" not in html and "<img" not in html and "<a href='x'>" not in html
    assert "Digital &lt;Download&gt;" in html and "no expiry" in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html


def test_repeating_the_same_authorization_returns_the_same_ids(buyer):
    first = buyer.authorize(prepaid_params())
    again = buyer.authorize(prepaid_params())
    assert again["prepaidInstrumentID"] == first["prepaidInstrumentID"]
    assert again["prepaidSenderTokenID"] == first["prepaidSenderTokenID"]


def test_caller_reference_used_by_another_buyer_is_np(app, buyer):
    buyer.authorize(prepaid_params())
    ret = buyer.authorize(prepaid_params(), email="reader@example.com", method_label="Amazon Payments balance")
    assert ret["status"] == "NP" and "already used" in ret["errorMessage"]
    assert count(app, Instrument) == 1


def test_callers_are_separate(app, buyer):
    buyer.authorize(prepaid_params())
    ret = buyer.authorize(prepaid_params(), key=NEWS_KEY, secret=NEWS_SECRET)  # same references, other caller
    assert ret["status"] == "SA"
    assert count(app, Instrument) == 2


def test_verify_signature_checks_notification_style_post_signatures(app, fps):
    """IPN bodies are signed with the POST verb; VerifySignature accepts them as well."""
    from urllib.parse import urlencode as enc

    signer = services_of(app).signer
    url = "http://127.0.0.1:8000/ipn"
    signed = signer.sign_params("POST", url, {"transactionId": "14ABC", "transactionStatus": "SUCCESS",
                                              "notificationType": "TransactionStatus"},
                                f"http://localhost/certs/{signer.cert_dir}/PKICert.pem")
    r = fps.call("VerifySignature", UrlEndPoint=url, HttpParameters=enc(signed))
    assert r.find("VerifySignatureResult/VerificationStatus") == "Success"
    signed["transactionStatus"] = "FAILURE"
    r = fps.call("VerifySignature", UrlEndPoint=url, HttpParameters=enc(signed))
    assert r.find("VerifySignatureResult/VerificationStatus") == "Failure"


def test_double_confirm_installs_once(app, client, buyer):
    started = buyer.start(cbui_link(prepaid_params()))
    chosen = buyer.choose(buyer.sign_in(started), "Amazon Payments balance")
    url = chosen.headers["Location"]
    token = csrf(client.get(url).get_data(as_text=True))
    first = returned(client.post(url, data={"csrf_token": token, "confirm": "Confirm"}))
    again = client.post(url, data={"csrf_token": token, "confirm": "Confirm"})
    assert again.status_code == 409 and first["status"] == "SA"
    assert count(app, Instrument) == 1


def test_two_pipelines_in_one_browser(buyer):
    first = buyer.start(cbui_link(prepaid_params("1")))
    second = buyer.start(cbui_link(prepaid_params("2")))
    assert returned(buyer.confirm(buyer.choose(buyer.sign_in(first), "Amazon Payments balance")))["status"] == "SA"
    assert returned(buyer.confirm(buyer.choose(buyer.sign_in(second), "Visa")))["status"] == "SC"
