"""VerifySignature: checks the sandbox's own return-URL and notification signatures."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit, urlunsplit

from ...domain import errors
from ...domain.call import Call
from ...runtime.certs import outbound_string_to_sign
from ...runtime.services import services
from ...urls import valid_http_url
from ..params import Args, text
from .registry import action


@action("VerifySignature", text("UrlEndPoint", 2048, required=True), text("HttpParameters", 4096, required=True),
        public=True)
def verify_signature(call: Call, args: Args) -> dict:
    """Check a return-URL or notification signature the sandbox made (RSA-SHA1, version 2).

    Answered signed or unsigned: Amazon's own PHP helper and the remit gem send only Action,
    UrlEndPoint, HttpParameters and Version. A query string on UrlEndPoint counts as received
    parameters (HttpParameters wins where both have a name).
    Deviations: the verb is not sent, so both GET (return URL) and POST (IPN) are tried.
    """
    signer = services().signer
    if not valid_http_url(args.url_end_point):
        raise errors.InvalidParams(f"UrlEndPoint {args.url_end_point[:200]} is an invalid URL: give "
                                   "scheme://host[:port]/path.")
    parts = urlsplit(args.url_end_point)
    url = urlunsplit(parts._replace(query="", fragment=""))
    received = {**dict(parse_qsl(parts.query, keep_blank_values=True)),
                **dict(parse_qsl(args.http_parameters, keep_blank_values=True))}
    for name in ("certificateUrl", "signature", "signatureVersion", "signatureMethod"):
        if name not in received:
            raise errors.InvalidParams(f"{name} is missing in 'HttpParameters'.")
    ok = (
        received["signatureVersion"] == "2"
        and received["signatureMethod"] == "RSA-SHA1"
        and valid_http_url(received["certificateUrl"])
        and urlsplit(received["certificateUrl"]).path == f"/certs/{signer.cert_dir}/PKICert.pem"
        and any(signer.verify(outbound_string_to_sign(verb, url, received), received["signature"])
                for verb in ("GET", "POST"))
    )
    return {"status": "Success" if ok else "Failure"}
