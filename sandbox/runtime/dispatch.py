"""The console (and the merchant inbox) acting as a caller: it signs a Query-API request with the caller's own key and sends it
through the application itself (no socket), so a refund, cancel or recipe from the console is
authenticated, logged, notified and booked exactly as the same call from a client's code."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlencode
from xml.etree import ElementTree

from flask import Response, current_app, request
from werkzeug.test import EnvironBuilder

from ..queries import requests as logged
from ..queries.accounts import callers
from .routing import SANDBOX_ENV
from .services import services
from ..signature import hmac_sign, string_to_sign_v2

ORIGIN = "fps_sandbox.origin"  # a WSGI environ key: set here, never by an HTTP header
IN_PROCESS = ("console", "merchant", "lesson")  # the faces that send calls this way; the request log names them
VERSION = "2008-09-17"
CBUI_PATH = "/cobranded-ui/actions/start"


@dataclass
class Answer:
    """What the Query API answered: HTTP status, the XML, the error if any, and its leaf values."""

    status: int
    xml: str
    sent: dict[str, str]
    string_to_sign: str
    values: dict[str, str] = field(default_factory=dict)  # the first text of each element, by local name
    log_pk: int | None = None  # the request log's row for this call

    @property
    def error_code(self) -> str | None:
        return self.values.get("Code") if "Errors" in self.values else None

    @property
    def error_message(self) -> str | None:
        return self.values.get("Message") if "Errors" in self.values else None


def caller_reference(prefix: str) -> str:
    """A fresh CallerReference for an action taken from the console ("console-refund-1f2e…")."""
    return f"console-{prefix}-{uuid.uuid4().hex[:16]}"


def sign(access_key: str, secret: str, params: dict[str, str], host: str,
         defaults: bool = True) -> tuple[dict[str, str], str]:
    """A Query-API POST's parameters signed (Signature Version 2, HmacSHA256), with the string to sign;
    `defaults` adds Version and Timestamp where `params` has none."""
    given = {"Version": VERSION, "Timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
             **params} if defaults else params
    full = {"AWSAccessKeyId": access_key, **given, "SignatureMethod": "HmacSHA256", "SignatureVersion": "2"}
    text = string_to_sign_v2("POST", host, "/", full)
    return {**full, "Signature": hmac_sign(secret, text)}, text


def sign_link(access_key: str, secret: str, params: dict[str, str], host: str) -> tuple[dict[str, str], str]:
    """A Co-Branded start link's parameters signed as a caller signs them, with the string to sign."""
    full = {"callerKey": access_key, **params, "signatureMethod": "HmacSHA256", "signatureVersion": "2"}
    text = string_to_sign_v2("GET", host, CBUI_PATH, full, exclude="signature")
    return {**full, "signature": hmac_sign(secret, text)}, text


def send_as(caller_id: int, params: dict[str, str], origin: str = "console") -> Answer:
    """Send `params` as the caller `caller_id` (an account with an access key) and read the answer."""
    with services().storage.read() as conn:
        caller = next((c for c in callers(conn) if c.id == caller_id), None)
    if caller is None:
        raise LookupError(f"account #{caller_id} is not a caller")
    return send(caller.access_key, caller.secret_key, params, origin)


def send(access_key: str, secret: str, params: dict[str, str], origin: str = "console") -> Answer:
    """Sign `params` with the key and POST them to the Query API in this process."""
    signed, text = sign(access_key, secret, params, request.host)
    return post_signed(signed, text, origin)


def verify_signature(url_end_point: str, http_parameters: str, origin: str) -> bool:
    """Ask VerifySignature, unsigned as Amazon's own helpers ask it, about a redirect or notification."""
    answer = post_signed({"Action": "VerifySignature", "Version": VERSION, "UrlEndPoint": url_end_point,
                    "HttpParameters": http_parameters}, "", origin)
    return answer.values.get("VerificationStatus") == "Success"


def post_signed(fields: dict[str, str], text: str, origin: str) -> Answer:
    """POST parameters exactly as given (signed already, or not at all) to the Query API in this process."""
    environ = EnvironBuilder(path="/", method="POST", base_url=f"{request.scheme}://{request.host}/",
                             data=urlencode(fields), content_type="application/x-www-form-urlencoded",
                             environ_base={"REMOTE_ADDR": "127.0.0.1", ORIGIN: origin,
                                           SANDBOX_ENV: services().name}).get_environ()
    response = Response.from_app(current_app.wsgi_app, environ)
    xml = response.get_data(as_text=True)
    answer = Answer(response.status_code, xml, fields, text, _leaves(xml))
    svc = services()
    svc.request_log.flush()
    if answer.values.get("RequestId"):
        with svc.storage.read() as conn:
            answer.log_pk = logged.by_request_id(conn, answer.values["RequestId"])
    return answer


def _leaves(xml: str) -> dict[str, str]:
    """Every element's local name with its first text (container names map to "")."""
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return {}
    out: dict[str, str] = {}
    for element in root.iter():
        out.setdefault(element.tag.rpartition("}")[2], (element.text or "").strip())
    return out


def pretty(xml: str) -> str:
    """The XML indented for reading (as it came, if it does not parse)."""
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return xml
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="unicode").replace("ns0:", "").replace(":ns0", "")


def element_names(xml: str) -> list[str]:
    """Every element's local name, once each, in document order."""
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return []
    return list(dict.fromkeys(element.tag.rpartition("}")[2] for element in root.iter()))
