"""Signing: known-answer vectors from fixtures/, and the ways a signature must fail."""

import json
from pathlib import Path

import pytest

from sandbox.signature import (
    canonical_query, hmac_sign, host_candidates, rfc3986, string_to_sign_v1, string_to_sign_v2, url_host,
    verify_hmac,
)

VECTORS = json.loads((Path(__file__).parent.parent / "fixtures" / "signature_vectors.json").read_text())
SECRET = VECTORS["secret"]


@pytest.mark.parametrize("v", VECTORS["vectors"], ids=lambda v: v["name"])
def test_known_answer(v):
    if v["version"] == "1":
        text = string_to_sign_v1(v["params"], v["exclude"])
    else:
        text = string_to_sign_v2(v["method"], v["host"], v["path"], v["params"], v["exclude"])
    assert text == v["string_to_sign"]
    assert hmac_sign(SECRET, text, v["algorithm"]) == v["signature"]


@pytest.mark.parametrize("v", VECTORS["vectors"], ids=lambda v: v["name"])
def test_verify_accepts_vector_and_rejects_tampering(v):
    params = dict(v["params"])
    kwargs = dict(version=v["version"], algorithm=v["algorithm"], method=v.get("method", "GET"),
                  hosts=[v.get("host", "x")], path=v.get("path", "/"), exclude=v["exclude"])
    assert verify_hmac(SECRET, v["signature"], params, **kwargs).ok
    assert not verify_hmac(SECRET[:-1] + "X", v["signature"], params, **kwargs).ok
    first = sorted(params)[0]
    params[first] += "x"
    assert not verify_hmac(SECRET, v["signature"], params, **kwargs).ok


def test_v1_sorts_case_insensitively_and_v2_by_bytes():
    params = {"b": "1", "A": "2", "a": "3", "C": "4"}
    assert string_to_sign_v1(params) == "A2a3b1C4"  # case-insensitive; ties keep their order
    assert canonical_query(params) == "A=2&C=4&a=3&b=1"


@pytest.mark.parametrize("raw, encoded", [
    ("a b", "a%20b"), ("a+b", "a%2Bb"), ("~-_.", "~-_."), ("é", "%C3%A9"), ("/?&=", "%2F%3F%26%3D"), ("*", "%2A"),
])
def test_rfc3986(raw, encoded):
    assert rfc3986(raw) == encoded


def test_space_signed_as_plus_does_not_verify():
    params = {"a": "x y", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256"}
    wrong = "GET\nh\n/\n" + canonical_query(params).replace("%20", "+")
    sig = hmac_sign(SECRET, wrong)
    assert not verify_hmac(SECRET, sig, params, version="2", algorithm="HmacSHA256", method="GET",
                           hosts=["h"], path="/").ok


def test_verify_tries_each_host_and_reports_the_first():
    params = {"Action": "Pay", "SignatureVersion": "2", "SignatureMethod": "HmacSHA1"}
    sig = hmac_sign(SECRET, string_to_sign_v2("POST", "fps.sandbox.amazonaws.com", "/", params), "HmacSHA1")
    verdict = verify_hmac(SECRET, sig, params, version="2", algorithm="HmacSHA1", method="POST",
                          hosts=["localhost:5000", "localhost", "fps.sandbox.amazonaws.com"], path="/")
    assert verdict.ok and verdict.host == "fps.sandbox.amazonaws.com"
    bad = verify_hmac(SECRET, "AAAA", params, version="2", algorithm="HmacSHA1", method="POST",
                      hosts=["localhost:5000", "localhost"], path="/")
    assert not bad.ok and bad.string_to_sign.startswith("POST\nlocalhost:5000\n/\n")


@pytest.mark.parametrize("addressed, expected", [
    ("127.0.0.1:5000", ["127.0.0.1:5000", "127.0.0.1", "amazon"]),
    ("LOCALHOST", ["localhost", "amazon"]),
    ("[::1]:8080", ["[::1]:8080", "[::1]", "amazon"]),
])
def test_host_candidates(addressed, expected):
    assert host_candidates(addressed, "amazon") == expected


@pytest.mark.parametrize("url, host", [
    ("https://Merchant.Example.com/r", "merchant.example.com"), ("https://m.example:443/r", "m.example"),
    ("http://m.example:80/", "m.example"), ("http://127.0.0.1:8000/r?x=1", "127.0.0.1:8000"),
])
def test_url_host(url, host):
    assert url_host(url) == host
