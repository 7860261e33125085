"""Co-Branded pages: signed start → sign in → choose a method → confirm, then a signed redirect
to the caller's returnURL (fps-spec.md §3). Outcomes the caller must handle (A, CE, PE, NP) are
redirects with a status, as FPS did; a bad signature or unknown caller gets an error page."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from flask import abort, current_app, redirect, render_template, request, session, url_for
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from ..domain import cobranded
from ..domain.accounts import authenticate, caller_by_access_key, party, payment_choices
from ..domain.cobranded import Pipeline
from ..domain.tokens import PipelineRefused
from ..runtime import request_log
from ..runtime.routing import remember_pipeline
from ..runtime.services import services
from ..signature import host_candidates, rfc3986, verify_hmac
from ..signature_doctor import diagnose
from .blueprint import bp
from .forms import CancelForm, ConfirmForm, MethodForm, SignInForm
from .markup import clean_reason
from .pipelines import CHECKS, PIPELINES, valid_return_url

AMAZON_CBUI_HOSTS = ("authorize.payments-sandbox.amazon.com", "authorize.payments.amazon.com")
STATUS_FOR_METHOD = {"ABT": "SA", "ACH": "SB", "CC": "SC"}


def _error_page(title: str, message: str, status: int, detail: str | None = None):
    return render_template("cbui/error.html", title=title, message=message, detail=detail), status


@bp.route("/actions/start")
def start():
    """Check the caller's signed request; begin the buyer's walk through the pages. Logged like an API call."""
    params = {k: v for k, v in request.args.items(multi=False)}
    entry = request_log.Entry(services().ids.request_id(), "cbui", "GET", request.host, request.path, params,
                              time.monotonic(), action=params.get("pipelineName"), access_key=params.get("callerKey"))
    response = _start(params, entry)
    if isinstance(response, tuple):
        response = current_app.make_response(response)
    svc = services()
    svc.request_log.record(entry, at=svc.clock.now(), http_status=response.status_code,
                           response=response.headers.get("Location") or response.get_data(as_text=True))
    return response


def _start(params: dict[str, str], entry: request_log.Entry):
    svc = services()
    with svc.storage.read() as conn:
        caller = caller_by_access_key(conn, params.get("callerKey", ""))
    if caller is None:
        return _error_page("Unknown caller", "The callerKey of this link is not an access key of any sandbox "
                           "account, so nothing was installed.", 403)
    entry.caller_id = caller.id
    problem = _signature_problem(params, caller.secret_key or "", entry)
    if problem:
        return _error_page("Invalid signature", "Caller Input Exception: the signature of this link does not "
                           "match, so nothing was installed.", 403, problem)
    return_url = params.get("returnURL")
    if not valid_return_url(return_url):
        return _error_page("Invalid returnURL", "The returnURL of this link is missing or is not an http(s) URL, "
                           "so the buyer cannot be sent back.", 400)
    name = params.get("pipelineName")
    if name not in CHECKS:
        why = "is not supported by this sandbox yet" if name in PIPELINES else "is not well formed"
        return _finish(return_url, {"status": "CE", "errorMessage": f"The input pipelineName {why}: [pipelineName]"})
    checked = CHECKS[name](params, svc.clock.now(), svc.policy, _default_methods())
    if not checked.ok:
        return _finish(return_url, {"status": "CE", "errorMessage": checked.error_message()})
    pid = svc.ids.secret()
    values = {**checked.values, "returnURL": return_url, "pipelineName": name}
    with svc.storage.write() as conn:
        cobranded.begin(conn, pid, caller.id, name, values, svc.clock.now())
    session["cbui"] = [pid, *session.get("cbui", [])][:10]  # a buyer may have several tabs open
    remember_pipeline(pid)
    return redirect(url_for("cbui.sign_in", pid=pid))


def _default_methods() -> str:
    return current_app.config["FPS_DEFAULT_PAYMENT_METHODS"]


def _signature_problem(params: dict[str, str], secret: str, entry: request_log.Entry) -> str | None:
    """None when the link is signed by the caller; else what the sandbox computed."""
    version = params.get("signatureVersion", "1")
    algorithm = params.get("signatureMethod", "HmacSHA256" if version == "2" else "HmacSHA1")
    signature = params.get("signature")
    if not signature:
        return "The link has no signature parameter."
    if version not in ("1", "2") or algorithm not in ("HmacSHA256", "HmacSHA1"):
        return "signatureVersion must be 2 (or 1) and signatureMethod HmacSHA256 or HmacSHA1."
    hosts = host_candidates(request.host, *AMAZON_CBUI_HOSTS)
    verdict = verify_hmac(secret, signature, params, version=version, algorithm=algorithm, method="GET",
                          hosts=hosts, path=request.path, exclude="signature")
    entry.verdict = "ok" if verdict.ok else "mismatch"
    if verdict.ok:
        return None
    entry.string_to_sign = verdict.string_to_sign
    causes = entry.diagnosis = diagnose(secret, signature, params, method="GET", host=request.host.lower(), path=request.path,
                      received_order=list(request.args), version=version, algorithm=algorithm, exclude="signature",
                      amazon_hosts=AMAZON_CBUI_HOSTS)
    return (f"String to sign computed by the sandbox (hosts tried: {', '.join(hosts)}):\n{verdict.string_to_sign}"
            f"\n\nLikely cause: {'; or '.join(causes)}.")


class _Finished(Exception):
    """The pipeline was confirmed or cancelled already."""


@bp.errorhandler(_Finished)
def _finished(_err):
    return _error_page("Already finished", "This authorization has already finished; start again from the "
                       "merchant's site.", 409)


def _pipeline(pid: str) -> Pipeline:
    """The unfinished pipeline this browser started; a 404 or "already finished" page otherwise."""
    with services().storage.read() as conn:
        pipeline = cobranded.load(conn, pid)
    if pipeline is None or pid not in session.get("cbui", []):
        abort(404)
    if pipeline.finished:
        raise _Finished()
    return pipeline


def _advance(pid: str, state: str, **changes) -> None:
    with services().storage.write() as conn:
        cobranded.advance(conn, pid, state, **changes)


@bp.route("/pipeline/<pid>/sign-in", methods=["GET", "POST"])
def sign_in(pid: str):
    pipeline = _pipeline(pid)
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        with services().storage.read() as conn:
            buyer = authenticate(conn, form.email.data, form.password.data)
        if buyer is None:
            error = "The e-mail or password is not right. The demo buyers' password is 'sandbox'."
        else:
            _advance(pid, cobranded.SIGNED_IN, buyer_id=buyer.id)
            return redirect(url_for("cbui.method", pid=pid))
    with services().storage.read() as conn:
        buyers = cobranded.demo_buyers(conn)
    return _page("cbui/sign_in.html", pipeline, form=form, error=error, buyers=buyers)


@bp.route("/pipeline/<pid>/method", methods=["GET", "POST"])
def method(pid: str):
    pipeline = _pipeline(pid)
    if pipeline.buyer_id is None:
        return redirect(url_for("cbui.sign_in", pid=pid))
    allowed = tuple(pipeline.values["paymentMethod"])
    with services().storage.read() as conn:
        choices = payment_choices(conn, pipeline.buyer_id, allowed)
    if not choices:
        _advance(pid, cobranded.ABANDONED)
        return _finish(pipeline.values["returnURL"], {"status": "PE", "errorMessage": "The buyer has none of the "
                                                      f"payment methods the caller allows ({', '.join(allowed)})."})
    form = MethodForm()
    form.choice.choices = [SelectChoice(_choice_key(c), c.label) for c in choices]
    if request.method == "GET" and len(choices) == 1:  # the only way to pay: chosen already
        form.choice.data = _choice_key(choices[0])
    if form.validate_on_submit():
        chosen = next(c for c in choices if _choice_key(c) == form.choice.data)
        _advance(pid, cobranded.CHOSEN, payment_method=chosen.method, payment_method_id=chosen.payment_method_id)
        return redirect(url_for("cbui.confirm", pid=pid))
    return _page("cbui/method.html", pipeline, form=form)


def _choice_key(choice) -> str:
    return f"{choice.method}:{choice.payment_method_id or 0}"


@bp.route("/pipeline/<pid>/confirm", methods=["GET", "POST"])
def confirm(pid: str):
    pipeline = _pipeline(pid)
    if pipeline.payment_method is None:
        return redirect(url_for("cbui.method", pid=pid))
    form = ConfirmForm()
    if form.validate_on_submit():
        return _install(pipeline)
    with services().storage.read() as conn:
        choice = cobranded.choice(conn, pipeline)
    return _page("cbui/confirm.html", pipeline, form=form, choice=choice)


@bp.route("/pipeline/<pid>/cancel", methods=["POST"])
def cancel(pid: str):
    """The buyer abandons the pipeline: back to the caller with status A."""
    pipeline = _pipeline(pid)
    if not CancelForm().validate_on_submit():
        abort(400)
    _advance(pid, cobranded.ABANDONED)
    return _finish(pipeline.values["returnURL"], {"status": "A"})


def _install(pipeline: Pipeline):
    return_url = pipeline.values["returnURL"]
    try:
        try:
            installed, choice = _install_once(pipeline)
        except IntegrityError:  # a double-clicked Confirm on PostgreSQL: the other click installed it
            installed, choice = _install_once(pipeline)
    except PipelineRefused as refused:
        _advance(pipeline.id, cobranded.ABANDONED)
        return _finish(return_url, {"status": refused.status, "errorMessage": refused.message})
    result = {"status": STATUS_FOR_METHOD[pipeline.payment_method], **installed}
    if pipeline.payment_method == "CC" and choice.expiry:
        result["expiry"] = choice.expiry
    return _finish(return_url, result)


def _install_once(pipeline: Pipeline):
    svc = services()
    with svc.storage.write() as conn:
        installed = cobranded.install(conn, pipeline, svc.clock.now(), svc.ids)
        return installed, cobranded.choice(conn, pipeline)


def _page(template: str, pipeline: Pipeline, **context):
    with services().storage.read() as conn:
        caller = party(conn, pipeline.caller_id)
        buyer = party(conn, pipeline.buyer_id) if pipeline.buyer_id else None
    values = pipeline.values
    return render_template(template, pid=pipeline.id, caller=caller, buyer=buyer, values=values,
                           summary=pipeline.kind.terms(values), reason=clean_reason(values.get("paymentReason")),
                           cancel_form=CancelForm(), **context)


def _finish(return_url: str, outcome: dict[str, str]):
    """Redirect to returnURL with its own query kept, the outcome added, all signed (RSA-SHA1)."""
    svc = services()
    parts = urlsplit(return_url)
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    params.update(outcome)
    base = svc.public_url or request.host_url.rstrip("/")
    signed = svc.signer.sign_params("GET", return_url, params,
                                    f"{base}/certs/{svc.signer.cert_dir}/PKICert.pem")
    query = "&".join(f"{rfc3986(k)}={rfc3986(v)}" for k, v in signed.items())
    return redirect(urlunsplit(parts._replace(query=query)))
