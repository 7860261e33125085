"""The signed Query API: transports, signature versions, hosts, timestamps, versions, and
every authentication and request-shape error."""

from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import pytest

from conftest import DD_KEY, DD_SECRET, FpsResponse, signed_params, timestamp
from sandbox.signature import hmac_sign, string_to_sign_v1, string_to_sign_v2

ACTION = "GetTotalPrepaidLiability"


def ok(r: FpsResponse, action: str = ACTION) -> None:
    assert r.status == 200, r.text
    assert r.xml.tag == "{http://fps.amazonaws.com/doc/2008-09-17/}" + action + "Response"


def test_post_form_body(fps):
    ok(fps.raw(signed_params(ACTION, {}, DD_KEY, DD_SECRET)))


def test_get_query_string(fps):
    ok(fps.raw(signed_params(ACTION, {}, DD_KEY, DD_SECRET, method="GET"), method="GET"))


def test_post_with_parameters_in_query_string(client):
    values = signed_params(ACTION, {}, DD_KEY, DD_SECRET, method="POST")
    r = client.post("/?" + urlencode(values))
    ok(FpsResponse(r.status_code, r.get_data(as_text=True)))


@pytest.mark.parametrize("algorithm", ["HmacSHA256", "HmacSHA1"])
@pytest.mark.parametrize("host", ["localhost", "fps.sandbox.amazonaws.com", "fps.amazonaws.com"])
def test_v2_for_each_accepted_host(fps, algorithm, host):
    ok(fps.raw(signed_params(ACTION, {}, DD_KEY, DD_SECRET, host=host, algorithm=algorithm)))


def test_v2_with_the_port_as_addressed(client):
    values = signed_params(ACTION, {}, DD_KEY, DD_SECRET, host="127.0.0.1:5000")
    r = client.post("/", data=values, base_url="http://127.0.0.1:5000")
    ok(FpsResponse(r.status_code, r.get_data(as_text=True)))
    values = signed_params(ACTION, {}, DD_KEY, DD_SECRET, host="127.0.0.1")
    r = client.post("/", data=values, base_url="http://127.0.0.1:5000")
    ok(FpsResponse(r.status_code, r.get_data(as_text=True)))


def test_v1(fps):
    values = {"Action": ACTION, "AWSAccessKeyId": DD_KEY, "Version": "2008-09-17", "Timestamp": timestamp(),
              "SignatureVersion": "1"}
    values["Signature"] = hmac_sign(DD_SECRET, string_to_sign_v1(values), "HmacSHA1")
    ok(fps.raw(values))


def test_signature_mismatch_shows_the_string_to_sign(fps):
    values = signed_params(ACTION, {}, DD_KEY, DD_SECRET)
    values["Timestamp"] = values["Timestamp"].replace("Z", "+00:00")  # changed after signing
    r = fps.raw(values)
    assert (r.status, r.error_code) == (403, "SignatureDoesNotMatch")
    expected = string_to_sign_v2("POST", "localhost", "/", values).replace("\n", "\\n")
    assert f"The string to sign we computed was: '{expected}'" in r.error_message
    assert "localhost, fps.sandbox.amazonaws.com" in r.error_message


def test_wrong_secret(fps):
    r = fps.raw(signed_params(ACTION, {}, DD_KEY, DD_SECRET + "x"))
    assert (r.status, r.error_code) == (403, "SignatureDoesNotMatch")


def test_signing_another_path_fails(client):
    values = {"Action": ACTION, "AWSAccessKeyId": DD_KEY, "Version": "2008-09-17", "Timestamp": timestamp(),
              "SignatureVersion": "2", "SignatureMethod": "HmacSHA256"}
    values["Signature"] = hmac_sign(DD_SECRET, string_to_sign_v2("POST", "localhost", "/fps", values))
    r = client.post("/", data=values)
    assert r.status_code == 403 and b"SignatureDoesNotMatch" in r.data


def test_unknown_access_key_is_its_own_error(fps):
    r = fps.raw(signed_params(ACTION, {}, "AKIANOTAREALKEY00000", DD_SECRET))
    assert (r.status, r.error_code) == (403, "InvalidClientTokenId")
    assert r.error_message == "The AWS Access Key Id you provided does not exist in our records."


@pytest.mark.parametrize("missing", ["AWSAccessKeyId", "Signature", "SignatureVersion", "Version", "Action"])
def test_missing_common_parameter(fps, missing):
    values = signed_params(ACTION, {}, DD_KEY, DD_SECRET)
    del values[missing]
    if missing not in ("Signature", "AWSAccessKeyId"):
        values["Signature"] = hmac_sign(DD_SECRET, string_to_sign_v2("POST", "localhost", "/", values))
    r = fps.raw(values)
    assert r.error_code == "MissingParameter", r.text
    assert r.error_message == f"The request must contain the parameter {missing}."


def test_missing_timestamp_and_expires(fps):
    values = signed_params(ACTION, {}, DD_KEY, DD_SECRET)
    del values["Timestamp"]
    values["Signature"] = hmac_sign(DD_SECRET, string_to_sign_v2("POST", "localhost", "/", values))
    assert fps.raw(values).error_code == "MissingParameter"


@pytest.mark.parametrize("stamp", ["2026-11-22T10:00:00Z", "2026-11-22T10:00:00.123Z", "2026-11-22T11:00:00+01:00"])
def test_timestamp_forms(fps, stamp):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    shifted = stamp.replace(at.strftime("%Y-%m-%dT%H:%M:%S"), (now + (at.utcoffset() or timedelta())).strftime(
        "%Y-%m-%dT%H:%M:%S"))
    values = {"Action": ACTION, "AWSAccessKeyId": DD_KEY, "Version": "2008-09-17", "Timestamp": shifted,
              "SignatureVersion": "2", "SignatureMethod": "HmacSHA256"}
    values["Signature"] = hmac_sign(DD_SECRET, string_to_sign_v2("POST", "localhost", "/", values))
    ok(fps.raw(values))


def _with(values_update, drop=()):
    values = {"Action": ACTION, "AWSAccessKeyId": DD_KEY, "Version": "2008-09-17", "Timestamp": timestamp(),
              "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", **values_update}
    for d in drop:
        values.pop(d)
    values["Signature"] = hmac_sign(DD_SECRET, string_to_sign_v2("POST", "localhost", "/", values))
    return values


def test_expires_instead_of_timestamp(fps):
    later = timestamp(datetime.now(timezone.utc) + timedelta(minutes=5))
    ok(fps.raw(_with({"Expires": later}, drop=("Timestamp",))))
    earlier = timestamp(datetime.now(timezone.utc) - timedelta(hours=1))
    r = fps.raw(_with({"Expires": earlier}, drop=("Timestamp",)))
    assert r.error_code == "RequestExpired" and "Expires date is" in r.error_message


@pytest.mark.parametrize("delta", [timedelta(minutes=-16), timedelta(minutes=16)])
def test_stale_or_future_timestamp(fps, delta):
    stamp = timestamp(datetime.now(timezone.utc) + delta)
    r = fps.raw(_with({"Timestamp": stamp}))
    assert (r.status, r.error_code) == (400, "RequestExpired")
    assert r.error_message == f"Request has expired. Timestamp date is {stamp}"


def test_timestamp_inside_the_window(fps):
    ok(fps.raw(_with({"Timestamp": timestamp(datetime.now(timezone.utc) - timedelta(minutes=14))})))


@pytest.mark.parametrize("bad", ["2010-02-26 T19:48:05.000Z", "yesterday", "2026-11-22", "x" * 100])
def test_malformed_timestamp(fps, bad):
    r = fps.raw(_with({"Timestamp": bad}))
    assert r.error_code == "InvalidParameterValue"
    assert r.error_message == f"Value ({bad[:40]}) for parameter Timestamp is invalid. Must be in ISO8601 format."


def test_version_2010_08_28_is_answered_in_its_namespace(fps):
    r = fps.raw(_with({"Version": "2010-08-28"}))
    assert r.status == 200
    assert r.xml.tag == "{http://fps.amazonaws.com/doc/2010-08-28/}GetTotalPrepaidLiabilityResponse"


def test_unknown_version(fps):
    r = fps.raw(_with({"Version": "2007-01-08"}))
    assert r.error_code == "InvalidParameterValue" and "Supported versions: 2008-09-17, 2010-08-28" in r.error_message


@pytest.mark.parametrize("version, method, message", [
    ("3", "HmacSHA256", "SignatureVersion '3' is not supported"),
    ("0", "HmacSHA256", "SignatureVersion '0' is not supported"),
    ("2", "HmacMD5", "SignatureMethod 'HmacMD5' is not supported"),
])
def test_unsupported_signature_versions_and_methods(fps, version, method, message):
    r = fps.raw(_with({"SignatureVersion": version, "SignatureMethod": method}))
    assert r.error_code == "InvalidParams" and r.error_message.startswith(message)


def test_unknown_action(fps):
    r = fps.call("FlyToTheMoon")
    assert (r.status, r.error_code) == (400, "InvalidAction")
    assert r.error_message == "The action FlyToTheMoon is not valid for this web service."


def test_known_but_not_yet_emulated_action(fps):
    r = fps.call("Reserve")
    assert r.error_code == "InvalidAction" and "does not emulate yet" in r.error_message


def test_unknown_parameter_is_invalid_request(fps):
    r = fps.call(ACTION, recipient_token_id="x")
    assert r.error_code == "InvalidRequest"
    assert '"http://fps.amazonaws.com/doc/2008-09-17/:recipient_token_id"' in r.error_message


def test_repeated_parameter_with_different_values(client):
    values = signed_params(ACTION, {}, DD_KEY, DD_SECRET)
    body = urlencode(values) + "&Version=2010-08-28"
    r = client.post("/", data=body, content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400 and b"<Code>InvalidParams</Code>" in r.data and b"more than once" in r.data


def test_oversized_parameter(fps):
    r = fps.call(ACTION, Junk="x" * 10000)
    assert r.error_code == "InvalidParams" and "too long" in r.error_message


def test_garbage_body_is_an_fps_error_not_a_500(client):
    r = client.post("/", data=b"\xff\xfe\x00garbage=%%%", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400 and r.data.startswith(b'<?xml version="1.0"?>\n<Response><Errors>')
    assert b"<Code>MissingParameter</Code>" in r.data


def test_error_xml_shape(fps):
    r = fps.call("FlyToTheMoon")
    root = r.xml
    assert root.tag == "Response" and [c.tag for c in root] == ["Errors", "RequestID"]
    assert ":" not in root.find("RequestID").text and len(root.find("RequestID").text) == 36


def test_success_request_id_has_colon_zero(fps):
    r = fps.call(ACTION)
    request_id = r.find("ResponseMetadata/RequestId")
    assert request_id.endswith(":0") and len(request_id) == 38


def test_browser_get_on_root_goes_to_the_console(client):
    r = client.get("/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/")


def test_certificate_is_served(client, app):
    from conftest import services_of

    signer = services_of(app).signer
    r = client.get(f"/certs/{signer.cert_dir}/PKICert.pem")
    assert r.status_code == 200 and r.data.startswith(b"-----BEGIN CERTIFICATE-----")
    assert client.get("/certs/000000/PKICert.pem").status_code == 404


def test_signature_mismatch_names_the_likely_cause(fps):
    values = {"Action": ACTION, "AWSAccessKeyId": DD_KEY, "Version": "2008-09-17", "Timestamp": timestamp(),
              "SignatureVersion": "2", "SignatureMethod": "HmacSHA256"}
    values["Signature"] = hmac_sign(DD_SECRET, string_to_sign_v2("GET", "localhost", "/", values))
    r = fps.raw(values)  # signed for GET, sent as POST
    assert r.error_code == "SignatureDoesNotMatch"
    assert "Likely cause: the string was signed for GET, but the request was a POST." in r.error_message
    values["Signature"] = hmac_sign(DD_SECRET + "x", string_to_sign_v2("POST", "localhost", "/", values))
    assert "most likely the secret key is wrong" in fps.raw(values).error_message
