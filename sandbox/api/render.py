"""FPS XML out: action responses from templates/fps/<Action>.xml, errors in FPS's wire format."""

from __future__ import annotations

from flask import Response, current_app

from ..domain.errors import FpsError

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
    processors, and this runs on every API call. Autoescaping follows the .xml name."""
    return current_app.jinja_env.get_template(name).render(**context)


def render_action(action: str, namespace: str, request_id: str, values: dict) -> Response:
    body = _render(f"fps/{action}.xml", action=action, ns=namespace, request_id=request_id, **values)
    return xml_response(body)


def render_error(err: FpsError, request_id: str) -> Response:
    body = _render("fps/error.xml", error=err, request_id=request_id)
    return xml_response(body, STATUS_FOR_CODE.get(err.code, 400))
