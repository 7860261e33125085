"""The signature doctor names each common mistake: sign the mistake on purpose, then diagnose it."""

from urllib.parse import quote, quote_plus

import pytest

from sandbox.signature import hmac_sign, rfc3986, string_to_sign_v1, string_to_sign_v2
from sandbox.signature_doctor import diagnose

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
PARAMS = {"Action": "Pay", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "CallerDescription": "two words ~ok /path",
          "SignatureMethod": "HmacSHA256", "SignatureVersion": "2", "Timestamp": "2026-11-22T10:00:00Z",
          "TransactionAmount.Value": "1.00", "Version": "2008-09-17", "callerReference": "lower-case-name"}
ORDER = list(PARAMS)[::-1]  # the order the client sent them


def query(order, encode, exclude="Signature", params=PARAMS):
    return "&".join(f"{encode(n)}={encode(params[n])}" for n in order(list(params)) if n != exclude)


def by_bytes(names):
    return sorted(names, key=lambda n: n.encode())


def v2(method="POST", host="127.0.0.1:5000", path="/", q=None, algorithm="HmacSHA256"):
    return hmac_sign(SECRET, "\n".join([method, host, path, q if q is not None else query(by_bytes, rfc3986)]),
                     algorithm)


def doctor(signature, secret=SECRET, version="2", algorithm="HmacSHA256"):
    return diagnose(secret, signature, PARAMS, method="POST", host="127.0.0.1:5000", path="/", received_order=ORDER,
                    version=version, algorithm=algorithm, amazon_hosts=("fps.sandbox.amazonaws.com",))


@pytest.mark.parametrize("signature, named", [
    (v2(q=query(by_bytes, lambda v: quote_plus(v, safe="-_.~"))), "spaces were encoded as '+'"),
    (v2(q=query(by_bytes, lambda v: quote(v, safe="-_.").replace("~", "%7E"))), "'~' was encoded as %7E"),
    (v2(q=query(by_bytes, lambda v: quote(v, safe="/-_.~"))), "'/' was left unencoded"),
    (v2(q=query(lambda n: sorted(n, key=str.lower), rfc3986)), "sorted case-insensitively"),
    (v2(q=query(lambda n: [x for x in ORDER if x in n], rfc3986)), "were not sorted"),
    (v2(q=query(by_bytes, rfc3986, params={k: v for k, v in PARAMS.items() if not k.startswith("Signature")})),
     "SignatureMethod and SignatureVersion were left out"),
    (v2(q=query(by_bytes, rfc3986, exclude="", params={**PARAMS, "Signature": ""})),
     "the Signature parameter itself was signed"),
    (v2(method="GET"), "signed for GET, but the request was a POST"),
    (v2(host="127.0.0.1"), "signed without its port"),
    (v2(path=""), "signed as '' (empty)"),
    (v2(host="localhost"), "signed for the host 'localhost'"),
    (v2(path="/fps"), "signed for the path '/fps'"),
    (v2(algorithm="HmacSHA1"), "made with HmacSHA1 but SignatureMethod says HmacSHA256"),
    (hmac_sign(SECRET, string_to_sign_v1(PARAMS), "HmacSHA1"), "signed with Signature Version 1"),
])
def test_each_mistake_is_named(signature, named):
    found = doctor(signature)
    assert any(named in f for f in found), found
    assert len(found) == 1, found  # and only that one


def test_a_wrong_secret_is_named_when_nothing_else_fits():
    found = doctor(v2(), secret=SECRET + "x")
    assert found == ["no common mistake reproduces this signature: most likely the secret key is wrong (check it "
                     "belongs to this AWSAccessKeyId), or a parameter value changed after signing"]


def test_a_correct_signature_is_not_diagnosed_as_a_mistake():
    assert doctor(hmac_sign(SECRET, string_to_sign_v2("POST", "127.0.0.1:5000", "/", PARAMS))) == []
