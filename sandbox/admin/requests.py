"""The request log: every API call and Co-Branded start, filtered and searched; one call with the
signature doctor's findings."""

from __future__ import annotations

import json

from flask import abort, redirect, render_template, request, url_for
from sqlalchemy import select

from ..models import Account, ApiCall
from ..runtime.services import services
from ..signature import string_to_sign_v1, string_to_sign_v2
from .blueprint import bp
from .paging import arg, newest_first



@bp.route("/requests")
def requests_log():
    """Newest first: filter by action, access key, errors only; search by RequestId (opens it) or
    TransactionId."""
    action, key, q = arg("action"), arg("key"), arg("q")
    errors_only = request.args.get("errors") == "1"
    with services().storage.read() as conn:
        if q:  # a successful response's RequestId carries a ":0" suffix, an error's does not
            found = conn.execute(select(ApiCall.id).where(ApiCall.request_id.in_({q, q.rsplit(":", 1)[0]}))).scalar()
            if found:
                return redirect(url_for("admin.request_detail", pk=found))
        query = select(ApiCall.id, ApiCall.at, ApiCall.face, ApiCall.action, ApiCall.access_key, ApiCall.http_status,
                       ApiCall.error_code, ApiCall.verdict, ApiCall.duration_ms, ApiCall.transaction_id)
        if action:
            query = query.where(ApiCall.action == action)
        if key:
            query = query.where(ApiCall.access_key == key)
        if errors_only:
            query = query.where(ApiCall.error_code.is_not(None))
        if q:
            query = query.where(ApiCall.transaction_id == q)
        page = newest_first(conn, query, ApiCall.id)
        callers = conn.execute(select(Account.name, Account.access_key).where(Account.access_key.is_not(None))
                               .order_by(Account.id)).all()
    return render_template("admin/requests.html", page=page, action=action, key=key, q=q, errors_only=errors_only,
                           callers=callers)


@bp.route("/requests/<row:pk>")
def request_detail(pk: int):
    """One call: the parameters as received, the string to sign, the verdict and likely mistakes, the response."""
    with services().storage.read() as conn:
        call = conn.execute(select(ApiCall.__table__).where(ApiCall.id == pk)).first()
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
    return render_template("admin/request.html", call=call, params=params, string_to_sign=string_to_sign)
