"""The unsigned VerifySignature request of Amazon's PHP helper (`SignatureUtilsForOutbound::verifySignature`,
shipped with its FPS samples and copied into many integrations), rebuilt byte for byte in Python.

The helper sends a plain GET of `Action`, `UrlEndPoint`, `HttpParameters` and `Version`, no credentials:
  ?Action=VerifySignature&UrlEndPoint=rawurlencode($url)
   &HttpParameters=rawurlencode(http_build_query($params, '', '&'))&Version=2008-09-17
Some copies turn http_build_query's `+` for a space into `%20` first (`plus_as_space=False`).
"""

from __future__ import annotations

from urllib.parse import quote

_RFC1738_SAFE = "-_."  # PHP urlencode(): letters, digits and -_. stay; a space becomes +


def urlencode(value: str) -> str:
    """PHP's urlencode()."""
    return quote(value, safe=_RFC1738_SAFE + " ").replace(" ", "+")


def rawurlencode(value: str) -> str:
    """PHP's rawurlencode() (RFC 3986: letters, digits and -_.~ stay)."""
    return quote(value, safe="-_.~")


def http_build_query(params: dict[str, str]) -> str:
    """PHP's http_build_query($params, '', '&') for a flat array of strings."""
    return "&".join(f"{urlencode(k)}={urlencode(v)}" for k, v in params.items())


def verify_signature_query(url_end_point: str, params: dict[str, str], version: str = "2008-09-17",
                           plus_as_space: bool = True) -> str:
    """The query string the helper appends to the FPS endpoint (after `?`)."""
    built = http_build_query(params)
    if not plus_as_space:
        built = built.replace("+", "%20")
    return (f"Action=VerifySignature&UrlEndPoint={rawurlencode(url_end_point)}"
            f"&HttpParameters={rawurlencode(built)}&Version={version}")
