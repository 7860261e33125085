"""The signature doctor: when a request's signature does not match, recompute it the ways
developers commonly get it wrong and name the mistake that reproduces their signature
(features.md pain point 1). Pure functions; no Flask."""

from __future__ import annotations

import hmac

from collections.abc import Callable, Mapping
from urllib.parse import quote, quote_plus

from .signature import HMAC_ALGORITHMS, canonical_path, hmac_sign, rfc3986, string_to_sign_v1, string_to_sign_v2


def _query(params: Mapping[str, str], order, encode: Callable[[str], str], exclude: str) -> str:
    names = [n for n in order(list(params)) if n != exclude]
    return "&".join(f"{encode(n)}={encode(params[n])}" for n in names)


def _v2(method: str, host: str, path: str, query: str) -> str:
    return "\n".join([method, host, path, query])


def diagnose(secret: str, signature: str, params: Mapping[str, str], *, method: str, host: str, path: str,
             received_order: list[str], version: str, algorithm: str, exclude: str = "Signature",
             amazon_hosts: tuple[str, ...] = ()) -> list[str]:
    """The mistakes that reproduce `signature` (usually one); when none does, the likely cause."""
    byte_order = lambda names: sorted(names, key=lambda n: n.encode())  # noqa: E731
    case_order = lambda names: sorted(names, key=str.lower)  # noqa: E731
    as_received = lambda names: [n for n in received_order if n in names]  # noqa: E731
    bare = host.rsplit(":", 1)[0] if ":" in host and not host.endswith("]") else host
    good_query = _query(params, byte_order, rfc3986, exclude)
    candidates: list[tuple[str, str, str]] = [  # (mistake, string to sign, algorithm)
        ("spaces were encoded as '+' instead of '%20' in the canonical query",
         _v2(method, host, canonical_path(path), _query(params, byte_order, lambda v: quote_plus(v, safe="-_.~"),
                                                        exclude)), algorithm),
        ("'~' was encoded as %7E; RFC 3986 leaves it as it is",
         _v2(method, host, canonical_path(path), _query(params, byte_order,
                                                        lambda v: quote(v, safe="-_.").replace("~", "%7E"), exclude)),
         algorithm),
        ("'/' was left unencoded in parameter values; it must be %2F",
         _v2(method, host, canonical_path(path), _query(params, byte_order, lambda v: quote(v, safe="/-_.~"),
                                                        exclude)), algorithm),
        ("the parameters were sorted case-insensitively; Signature Version 2 sorts by byte order",
         _v2(method, host, canonical_path(path), _query(params, case_order, rfc3986, exclude)), algorithm),
        ("the parameters were not sorted (they were signed in the order they were sent)",
         _v2(method, host, canonical_path(path), _query(params, as_received, rfc3986, exclude)), algorithm),
        ("SignatureMethod and SignatureVersion were left out of the signed parameters; they are signed too",
         _v2(method, host, canonical_path(path), _query(
             {k: v for k, v in params.items() if k not in ("SignatureMethod", "SignatureVersion")}, byte_order,
             rfc3986, exclude)), algorithm),
        (f"the {exclude} parameter itself was signed (with an empty value); it must be left out of the string to sign",
         _v2(method, host, canonical_path(path), _query({**params, exclude: ""}, byte_order, rfc3986, "")), algorithm),
        (f"the string was signed for {'POST' if method == 'GET' else 'GET'}, but the request was a {method}",
         _v2("POST" if method == "GET" else "GET", host, canonical_path(path), good_query), algorithm),
        ("the host was signed without its port" if bare != host else "the host was signed with a port",
         _v2(method, bare if bare != host else f"{host}:80", canonical_path(path), good_query), algorithm),
        ("the path was signed as '' (empty) instead of '/'", _v2(method, host, "", good_query), algorithm),
        ("the host was signed in upper case or as typed, not in lower case",
         _v2(method, host.upper(), canonical_path(path), good_query), algorithm),
    ]
    for other in ("localhost", "127.0.0.1", *amazon_hosts):
        if other not in (host, bare):
            candidates.append((f"the string was signed for the host '{other}', but the request went to '{host}'",
                               _v2(method, other, canonical_path(path), good_query), algorithm))
    for other_path in ("/fps", "/cobranded-ui/actions/start", "/?"):
        if other_path != path:
            candidates.append((f"the string was signed for the path '{other_path}', but the request went to "
                               f"'{path}'", _v2(method, host, other_path, good_query), algorithm))
    other_algorithm = "HmacSHA1" if algorithm == "HmacSHA256" else "HmacSHA256"
    candidates.append((f"the signature was made with {other_algorithm} but SignatureMethod says {algorithm}",
                       string_to_sign_v2(method, host, path, params, exclude), other_algorithm))
    if version == "2":
        candidates.append(("the request was signed with Signature Version 1 but says SignatureVersion=2",
                           string_to_sign_v1(params, exclude), "HmacSHA1"))
    else:
        candidates.append(("the request was signed with Signature Version 2 but says SignatureVersion=1",
                           string_to_sign_v2(method, host, path, params, exclude), "HmacSHA256"))
    correct = string_to_sign_v1(params, exclude) if version == "1" else _v2(method, host, canonical_path(path),
                                                                              good_query)
    if _matches(secret, correct, algorithm, signature):
        return []
    found = list(dict.fromkeys(
        mistake for mistake, text, alg in candidates
        if (text, alg) != (correct, algorithm) and alg in HMAC_ALGORITHMS and _matches(secret, text, alg, signature)))
    if found:
        return found
    return ["no common mistake reproduces this signature: most likely the secret key is wrong (check it belongs "
            "to this AWSAccessKeyId), or a parameter value changed after signing"]


def _matches(secret: str, text: str, algorithm: str, signature: str) -> bool:
    return hmac.compare_digest(hmac_sign(secret, text, algorithm).encode(), signature.encode())
