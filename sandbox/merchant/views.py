"""The merchant inbox's pages: the return page, the IPN catchers and their listing.

Both verify what they receive by asking VerifySignature, as a merchant's code would
(runtime/dispatch.py), and the request log keeps that call under the face "merchant".
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, flash, redirect, render_template, request, url_for

from ..domain import merchant_inbox as inbox
from ..extensions import csrf
from ..runtime.dispatch import verify_signature
from ..runtime.services import services
from .blueprint import bp
from .forms import ForgetForm

STATUS = {
    "SA": "Success: the buyer chose the Amazon Payments balance (ABT).",
    "SB": "Success: the buyer chose a bank account (ACH).",
    "SC": "Success: the buyer chose a credit card.",
    "SR": "Success: the recipient token is installed.",
    "SE": "System error: temporary; send the buyer through the pipeline again later.",
    "A": "Abandoned: the buyer cancelled. Nothing was installed.",
    "CE": "Caller exception: your link had a missing or malformed input; errorMessage names it.",
    "PE": "Payment-method mismatch: the buyer has none of the payment methods your link allowed.",
    "NP": "Not possible: e.g. the sender is the recipient, or a caller reference is already used; see errorMessage.",
    "NM": "You are not registered as a third-party caller for this transaction.",
}
# The ids a successful pipeline returns, and the console page each opens.
INSTALLED = {"tokenID": "token", "fundingTokenID": "token", "prepaidSenderTokenID": "token",
             "creditSenderTokenID": "token", "settlementTokenID": "token",
             "prepaidInstrumentID": "instrument", "creditInstrumentID": "instrument"}


@bp.route("/return")
def returned():
    """A returnURL for any pipeline: the parameters, their signature checked, the ids, the status explained."""
    params = request.args.to_dict()
    signed = "signature" in params
    verified = signed and verify_signature(request.base_url, request.query_string.decode("utf-8", "replace"),
                                           "merchant")
    links = [(name, value, f"admin.{INSTALLED[name]}") for name, value in params.items() if name in INSTALLED]
    return render_template("merchant/return.html", params=params, signed=signed, verified=verified, links=links,
                           status=params.get("status"), meaning=STATUS.get(params.get("status", "")))


@bp.route("/ipn/<name>", methods=["POST"])
@csrf.exempt  # FPS posts here; it has no session
def catch(name: str):
    """Keep a notification; answer 200, or the status the URL asks for (`?status=503&times=1`)."""
    if not inbox.NAME.fullmatch(name):
        abort(404)
    try:
        answer = inbox.Answer.from_query(request.args.get("status"), request.args.get("times"))
    except ValueError as exc:
        return f"This catcher's URL is wrong: {exc}.\n", 400, {"Content-Type": "text/plain"}
    fields = request.form.to_dict()
    verified = "signature" in fields and verify_signature(request.base_url, urlencode(fields), "merchant")
    svc = services()
    with svc.storage.write() as conn:
        pk, status = inbox.catch(conn, name, fields, verified, answer, svc.clock.now())
    return f"caught #{pk}\n", status, {"Content-Type": "text/plain"}


@bp.route("/ipn/<name>")
def catcher(name: str):
    """What one catcher received, newest first."""
    if not inbox.NAME.fullmatch(name):
        abort(404)
    with services().storage.read() as conn:
        rows = inbox.received(conn, name)
    return render_template("merchant/catcher.html", name=name, rows=rows, form=ForgetForm(),
                           url=url_for("merchant.catch", name=name, _external=True))


@bp.route("/ipn/<name>/forget", methods=["POST"])
def forget(name: str):
    """Empty one catcher."""
    if not inbox.NAME.fullmatch(name) or not ForgetForm().validate_on_submit():
        abort(400)
    with services().storage.write() as conn:
        count = inbox.forget(conn, name)
    flash(f"Forgot {count} notification(s).")
    return redirect(url_for("merchant.catcher", name=name))


@bp.route("/")
def index():
    """The inbox: how to use it, and every catcher that received something."""
    with services().storage.read() as conn:
        catchers = inbox.names(conn)
    return render_template("merchant/index.html", catchers=catchers,
                           return_url=url_for("merchant.returned", _external=True),
                           ipn_url=url_for("merchant.catch", name="mytest", _external=True))
