"""Query-API requests built the way Kickstarter's amazon_flex_pay gem (0.10) builds them: API version
2011-09-20, nested values flattened with a period (TransactionAmount.Value), keys sorted, values escaped
with everything but letters, digits and `_.~-` percent-encoded (a space is %20), a Timestamp without
fractions, and a SignatureVersion 2 HmacSHA256 signature over GET, the endpoint's host (no port), its
path and that query string. Sent as a GET."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime, timezone
from urllib.parse import urlsplit

API_VERSION = "2011-09-20"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.~-]")


def escape(value) -> str:
    return _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), str(value))


def query_string(params: dict, prefix: str | None = None) -> str:
    """The gem's Util.query_string: nested dicts flattened with a period, keys sorted."""
    out = []
    for key in sorted(params, key=str):
        value = params[key]
        name = f"{prefix}.{key}" if prefix else key
        out.append(query_string(value, name) if isinstance(value, dict) else f"{name}={escape(value)}")
    return "&".join(out)


def signed_url(endpoint: str, action: str, params: dict, access_key: str, secret_key: str) -> str:
    """The full URL the gem requests for `action` (BaseRequest#to_url)."""
    values = {**params, "Action": action, "Version": API_VERSION, "AWSAccessKeyId": access_key,
              "Timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "SignatureVersion": 2,
              "SignatureMethod": "HmacSHA256"}
    uri = urlsplit(endpoint)
    signable = "\n".join(["GET", uri.hostname, uri.path, query_string(values)])
    digest = hmac.new(secret_key.encode(), signable.encode(), hashlib.sha256).digest()
    values["Signature"] = base64.b64encode(digest).decode()
    return f"{endpoint}?{query_string(values)}"
