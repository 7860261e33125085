"""FPS XML out: action responses from templates/fps/<Action>.xml, errors in FPS's wire format."""

from __future__ import annotations

import uuid

from flask import Response, current_app
from markupsafe import escape

from ..domain.errors import FpsError, InternalError, InvalidParams, InvalidRequest
from ..domain.text import xml_safe

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


def _render(name: str, **context) -> str:
    """A template of templates/fps/ straight from Jinja: FPS XML needs none of the page context
    processors, and this runs on every API call. Autoescaping follows the .xml name.

    The shared macros (Amount, a transaction's result, a token) come in as `envelope`, its module built
    once: an `{% import %}` would rebuild or re-check it on every render."""
    env = current_app.jinja_env
    return env.get_template(name).render(envelope=env.get_template("fps/_envelope.xml").module, **context)


def render_action(action: str, namespace: str, request_id: str, values: dict) -> Response:
    """The action's result (templates/fps/<Action>.xml) in FPS's response envelope, written here: a
    Jinja `{% call %}` cost more than the rest of a Pay's answer."""
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
