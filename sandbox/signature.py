"""FPS request signatures, as pure functions over dicts and strings (fps-spec.md §2).

Signature Version 1: parameters sorted case-insensitively, name+value concatenated, HMAC-SHA1.
Signature Version 2: VERB\\nhost\\npath\\ncanonical query (byte-ordered, RFC 3986), HMAC-SHA256
or HMAC-SHA1. The same v2 string to sign, with RSA-SHA1, signs the sandbox's own return-URL
redirects and notifications (see sandbox/runtime/certs.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from .domain.text import ascii_digits

HMAC_ALGORITHMS = {"HmacSHA256": hashlib.sha256, "HmacSHA1": hashlib.sha1}


def rfc3986(value: str) -> str:
    """Percent-encode everything but A-Z a-z 0-9 - _ . ~ (space is %20, never '+')."""
    return quote(value, safe="-_.~")


def canonical_query(params: Mapping[str, str], exclude: str = "Signature") -> str:
    """name=value pairs, RFC 3986 encoded, sorted by name in byte order, joined with '&'."""
    names = sorted((n for n in params if n != exclude), key=lambda n: n.encode("utf-8"))
    return "&".join(f"{rfc3986(n)}={rfc3986(params[n])}" for n in names)


def canonical_path(path: str) -> str:
    """The URL-encoded absolute path ('/' kept, "/" when empty)."""
    return quote(unquote(path or "/"), safe="/-_.~") or "/"


def string_to_sign_v2(method: str, host: str, path: str, params: Mapping[str, str], exclude: str = "Signature") -> str:
    return "\n".join([method.upper(), host.lower(), canonical_path(path), canonical_query(params, exclude)])


def string_to_sign_v1(params: Mapping[str, str], exclude: str = "Signature") -> str:
    """Names sorted case-insensitively, each followed by its (not encoded) value."""
    names = sorted((n for n in params if n != exclude), key=str.lower)
    return "".join(n + params[n] for n in names)


def hmac_sign(secret: str, text: str, algorithm: str = "HmacSHA256") -> str:
    digest = hmac.new(secret.encode("utf-8"), text.encode("utf-8"), HMAC_ALGORITHMS[algorithm]).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking a signature: `string_to_sign` is the one that matched, or the
    first one tried (the addressed host), for showing a developer what the sandbox computed."""

    ok: bool
    string_to_sign: str
    host: str | None = None


def verify_hmac(
    secret: str,
    signature: str,
    params: Mapping[str, str],
    *,
    version: str,
    algorithm: str,
    method: str,
    hosts: Iterable[str],
    path: str,
    exclude: str = "Signature",
) -> Verdict:
    """Check an HMAC signature against every acceptable host (v2) or the v1 string."""
    if version == "1":
        text = string_to_sign_v1(params, exclude)
        return Verdict(_same(hmac_sign(secret, text, "HmacSHA1"), signature), text)
    first = None
    for host in dict.fromkeys(h.lower() for h in hosts):
        text = string_to_sign_v2(method, host, path, params, exclude)
        first = first or text
        if _same(hmac_sign(secret, text, algorithm), signature):
            return Verdict(True, text, host)
    return Verdict(False, first or "")


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def host_candidates(addressed: str, *fixed: str) -> list[str]:
    """The host as addressed (with its port), without the port, then the fixed Amazon hosts."""
    addressed = addressed.lower()
    host, sep, port = addressed.rpartition(":")
    bare = host if sep and ascii_digits(port) and (host.endswith("]") or ":" not in host) else addressed
    return list(dict.fromkeys([addressed, bare, *fixed]))


def url_host(url: str) -> str:
    """Lower-case host of a URL with ':port' only when it is not the scheme's default."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    default = {"http": 80, "https": 443}.get(parts.scheme)
    if parts.port and parts.port != default:
        host = f"{host}:{parts.port}"
    return host
