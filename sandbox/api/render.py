"""FPS XML out: action responses from templates/fps/<Action>.xml (an action that answers its transaction's
id and status alone, `TXN_ANSWERS`, or a balance, `BALANCE_ANSWERS`, has none: written here), errors in FPS's
wire format."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

from flask import Flask, Response, current_app
from jinja2 import Environment
from markupsafe import Markup, escape

from ..domain.errors import FpsError, InternalError, InvalidParams, InvalidRequest
from ..domain.money import fps_value
from ..domain.text import xml_safe
from ..filters import fps_date

# HTTP status per error code; everything else is 400. Published clients retry 500 and 503,
# so those are kept for real server faults and for errors that ask for a retry.
STATUS_FOR_CODE = {
    "SignatureDoesNotMatch": 403,
    "InvalidClientTokenId": 403,
    "AuthFailure": 403,
    "InternalError": 500,
    "ServiceUnavailable": 503,
    "Throttling": 503,
}


def xml_response(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="text/xml")


def amount(name: str, cents: int) -> Markup:
    """FPS's Amount type, <name><CurrencyCode>USD</CurrencyCode><Value>9.700000</Value></name>."""
    return Markup(f"<{name}><CurrencyCode>USD</CurrencyCode><Value>{fps_value(cents)}</Value></{name}>")


def txn_result(action: str, result) -> Markup:
    """<ActionResult> of an action that makes a transaction: its id and status."""
    return Markup(f"<{action}Result><TransactionId>{escape(result.transaction_id)}</TransactionId>"
                  f"<TransactionStatus>{escape(result.status)}</TransactionStatus></{action}Result>")


# The actions whose result is `txn_result` alone, and the balances: written here, without a template (Jinja's
# render was a tenth of a Pay's Python; under callgrind 2.6% fewer instructions per Pay, 5.2% per balance read)
TXN_ANSWERS = frozenset({"Pay", "Refund", "Cancel", "FundPrepaid", "SettleDebt", "WriteOffDebt"})
BALANCE_ANSWERS = {  # action -> the element inside <ActionResult>, and its Amounts: (element, the balance's field)
    "GetPrepaidBalance": ("PrepaidBalance", (("AvailableBalance", "available_cents"),
                                             ("PendingInBalance", "pending_in_cents"))),
    "GetTotalPrepaidLiability": ("OutstandingPrepaidLiability", (("OutstandingBalance", "available_cents"),
                                                                 ("PendingInBalance", "pending_in_cents"))),
    "GetDebtBalance": ("DebtBalance", (("AvailableBalance", "available_cents"),
                                       ("PendingOutBalance", "pending_out_cents"))),
    "GetOutstandingDebtBalance": ("OutstandingDebt", (("OutstandingBalance", "available_cents"),
                                                      ("PendingOutBalance", "pending_out_cents"))),
}


def balance_result(action: str, balance) -> Markup:
    """<ActionResult> of a balance action (`BALANCE_ANSWERS`): its element and Amounts."""
    element, parts = BALANCE_ANSWERS[action]
    amounts = "".join(amount(name, getattr(balance, field)) for name, field in parts)
    return Markup(f"<{action}Result><{element}>{amounts}</{element}></{action}Result>")


_PARTS: dict[int, SimpleNamespace] = {}
_XML_ENV = "fps_sandbox.xml_env"  # app.extensions key


def _xml_environment(app: Flask) -> Environment:
    """The Jinja environment of templates/fps/: the app's loader and settings (XML autoescaped), the one
    filter FPS XML uses, and none of the app's globals, which a render would copy into every context."""
    base = app.jinja_env
    env = Environment(loader=base.loader, autoescape=True, auto_reload=base.auto_reload,
                      trim_blocks=base.trim_blocks, lstrip_blocks=base.lstrip_blocks)
    env.filters["fps_date"] = fps_date
    return env


def _render(name: str, **context) -> str:
    """A template of templates/fps/ straight from Jinja, in an environment of its own (`_xml_environment`):
    FPS XML needs none of the page context processors and globals, and this runs on every API call.

    The shared parts come in as `envelope`: `amount` above (Python: a Jinja macro call cost more than the
    rest of a balance's answer), and the macros of fps/_envelope.xml, its module built
    once (an `{% import %}` would rebuild or re-check it on every render)."""
    app = current_app._get_current_object()
    env = app.extensions.get(_XML_ENV)
    if env is None:
        env = app.extensions[_XML_ENV] = _xml_environment(app)
    module = env.get_template("fps/_envelope.xml").module
    parts = _PARTS.get(id(module))
    if parts is None:
        parts = _PARTS[id(module)] = SimpleNamespace(amount=amount, opt=module.opt, token=module.token,
                                                     module=module)  # alive: its id is the key
    return env.get_template(name).render(envelope=parts, **context)


def render_action(action: str, namespace: str, request_id: str, values: dict) -> Response:
    """The action's result (templates/fps/<Action>.xml; `txn_result` for `TXN_ANSWERS`, `balance_result` for
    `BALANCE_ANSWERS`) in FPS's response envelope, written here: a Jinja `{% call %}` cost more than the rest of
    a Pay's answer."""
    if action in TXN_ANSWERS:
        result = txn_result(action, values["result"])
    elif action in BALANCE_ANSWERS:
        result = balance_result(action, values["balance"])
    else:
        result = _render(f"fps/{action}.xml", action=action, **values)
    return xml_response(f'<?xml version="1.0"?>\n<{action}Response xmlns="{namespace}">{result}<ResponseMetadata>'
                        f"<RequestId>{escape(request_id)}</RequestId></ResponseMetadata></{action}Response>")


def render_error(err: FpsError, request_id: str, status: int | None = None) -> Response:
    """FPS's error document; characters XML cannot carry (a control character copied from the request
    into the message) are shown as \\uXXXX so the client's parser always reaches the code."""
    body = _render("fps/error.xml", code=err.code, message=xml_safe(err.message), request_id=request_id)
    return xml_response(body, status or STATUS_FOR_CODE.get(err.code, 400))


def render_http_error(status: int, method: str) -> Response:
    """An HTTP-level refusal at the Query API's root (a verb other than GET and POST, a malformed body),
    still in FPS XML: clients parse every answer from the endpoint as FPS XML."""
    if status == 405:
        err: FpsError = InvalidRequest(f"The Query API takes GET or POST, not {method[:16]}.")
        response = render_error(err, str(uuid.uuid4()), 405)
        response.headers["Allow"] = "GET, HEAD, POST"
        return response
    err = InternalError() if status >= 500 else InvalidParams("The request could not be read as an FPS request.")
    return render_error(err, str(uuid.uuid4()), status)
