"""The request log: every API call and Co-Branded start, filtered and searched; one call with the
signature doctor's findings."""

from __future__ import annotations

import html
import json
import re

from flask import abort, redirect, render_template, request, url_for

from ..queries import requests as query
from ..queries.accounts import callers as all_callers
from ..runtime.services import services
from ..signature import string_to_sign_v1, string_to_sign_v2
from .blueprint import bp
from .paging import arg, before

@bp.route("/requests")
def requests_log():
    """Newest first: filter by action, access key, errors only; search by RequestId (opens it) or
    TransactionId."""
    action, key, q = arg("action"), arg("key"), arg("q")
    errors_only = request.args.get("errors") == "1"
    with services().storage.read() as conn:
        found = query.by_request_id(conn, q) if q else None
        if found:
            return redirect(url_for("admin.request_detail", pk=found))
        page = query.calls(conn, action=action, key=key, errors_only=errors_only, transaction_id=q, before=before())
        callers = all_callers(conn)
    return render_template("admin/requests.html", page=page, action=action, key=key, q=q, errors_only=errors_only,
                           callers=callers)


@bp.route("/requests/<row:pk>")
def request_detail(pk: int):
    """One call: the parameters as received, the string to sign, the verdict and likely mistakes, the response."""
    with services().storage.read() as conn:
        call = query.call(conn, pk)
    if call is None:
        abort(404)
    params = json.loads(call.params)
    string_to_sign = call.string_to_sign
    if string_to_sign is None and call.verdict == "ok":  # recomputed for a good signature (see models.ApiCall)
        flat = {k: v for k, v in params.items() if isinstance(v, str)}
        exclude = "signature" if call.face == "cbui" else "Signature"
        version = flat.get("signatureVersion" if call.face == "cbui" else "SignatureVersion", "2")
        string_to_sign = string_to_sign_v1(flat, exclude) if version == "1" else \
            string_to_sign_v2(call.method, call.host.lower(), call.path, flat, exclude)
    message = re.search(r"<Message>(.*?)</Message>", call.response or "", re.S) if call.error_code else None
    return render_template("admin/request.html", call=call, params=params, string_to_sign=string_to_sign,
                           message=html.unescape(message.group(1)) if message else None, about=_about(params))


ABOUT = (("SenderTokenId", "admin.tokens"), ("TokenId", "admin.tokens"), ("PrepaidInstrumentId", "admin.instruments"),
         ("CreditInstrumentId", "admin.instruments"), ("TransactionId", "admin.transactions"))


def _about(params: dict) -> tuple[str, str, str] | None:
    """The token, instrument or transaction the request named: (parameter, id, the list that finds it)."""
    for name, endpoint in ABOUT:
        if isinstance(params.get(name), str) and params[name]:
            return name, params[name], endpoint
    return None
