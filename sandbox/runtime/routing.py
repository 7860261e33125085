"""Putting each request in its sandbox (runtime/sandboxes.py), before any view runs.

The Query API by AWSAccessKeyId and the Co-Branded start page by callerKey (what FPS had); the later
Co-Branded pages by the pipeline the buyer's session started; the console and the merchant inbox by
`?sandbox=name`, which every link they make carries on. A call the console sends in-process names its
sandbox in the WSGI environ (runtime/dispatch.py), never in anything a client could send.
"""

from __future__ import annotations

from flask import abort, current_app, g, render_template, request, session
from werkzeug.exceptions import HTTPException

from . import seeded
from .sandboxes import DEFAULT, Sandboxes, UnknownSandbox
from .services import Services

SANDBOX_ENV = "fps_sandbox.sandbox"  # a WSGI environ key: set by runtime/dispatch.py, never by an HTTP header
PIPELINES_KEY = "cbui_sandbox"  # the session's {pipeline id: sandbox name} for the buyer's open pipelines
NAMED_IN_URL = ("admin", "merchant")  # the blueprints that name their sandbox in ?sandbox=


def sandboxes() -> Sandboxes:
    """The application's sandboxes."""
    return current_app.extensions["fps_sandboxes"]


def current_name() -> str:
    """The name of the sandbox the current request is in."""
    svc = g.get("fps_services")
    return svc.name if svc is not None else DEFAULT


def enter(svc: Services, numbered: bool = False) -> None:
    """Serve the rest of this request (or this round of the worker) from `svc`'s sandbox; in a seeded one,
    with ids and time from the request's number (`numbered`: a request that can make something takes the
    next one; runtime/seeded.py)."""
    g.fps_services = seeded.for_request(svc, numbered)


def route():
    """before_request (the application's): the Query API's and the Co-Branded pages' sandbox."""
    inner = request.environ.get(SANDBOX_ENV)
    if inner is not None:
        try:
            return enter(sandboxes().get(inner), numbered=True)
        except UnknownSandbox:  # deleted while the console's own request was in it: an FPS 404, not a 500
            abort(404)
    if request.blueprint == "api":
        return enter(sandboxes().by_access_key(_first_value("AWSAccessKeyId")), numbered=True)
    if request.blueprint == "cbui":
        return _route_cbui()
    return None


def route_named():
    """before_request of the console and the merchant inbox, after their own guards (so a stranger learns
    nothing of which sandboxes exist): ?sandbox=; an unknown one gets a clear 404 page. A form sent (POST) in
    a seeded sandbox takes a request number; a page shown does not."""
    if not request.args.get("sandbox"):
        default = sandboxes().default
        return enter(default, request.method == "POST") if default.seed is not None else None
    try:
        return enter(sandboxes().get(request.args["sandbox"]), request.method == "POST")
    except UnknownSandbox:
        return render_template("errors/page.html", title="No such sandbox",
                               message="There is no sandbox of that name: it was deleted, or the link is "
                                       "mistyped. The classroom page lists every sandbox."), 404


def _first_value(name: str) -> str | None:
    """The parameter's first value, from the query string, else the form (as `request.values` would give it,
    without building that combined view on every API call)."""
    try:
        value = request.args.get(name)
        return value if value is not None else request.form.get(name)
    except HTTPException:  # a body too large or malformed: the view answers its own error
        return None


def _route_cbui():
    if request.endpoint == "cbui.start":
        return enter(sandboxes().by_access_key(request.args.get("callerKey")), numbered=True)
    pid = (request.view_args or {}).get("pid")
    name = session.get(PIPELINES_KEY, {}).get(pid) if isinstance(pid, str) else None
    try:
        return enter(sandboxes().get(name), numbered=True)
    except UnknownSandbox:  # deleted mid-walk: the default sandbox does not know the pipeline either
        return enter(sandboxes().default, numbered=True)


def remember_pipeline(pid: str) -> None:
    """Note which sandbox the buyer's new pipeline is in, for its later pages (the last ten)."""
    name = current_name()
    if name == DEFAULT:
        return
    known = dict(list(session.get(PIPELINES_KEY, {}).items())[-9:])
    known[pid] = name
    session[PIPELINES_KEY] = known


def carry_sandbox(endpoint: str, values: dict) -> None:
    """url_defaults: a console or merchant-inbox link made in a sandbox stays in it."""
    if "sandbox" in values or endpoint.partition(".")[0] not in NAMED_IN_URL:
        return
    name = current_name()
    if name != DEFAULT:
        values["sandbox"] = name
