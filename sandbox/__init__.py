"""FPS Sandbox: an Amazon FPS (2008-09-17) Aggregated Payments emulator.

create_app() sets configuration, then extensions, then the three faces: the signed Query API
(`api`), the Co-Branded pages a buyer clicks through (`cbui`) and the operator console (`admin`).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask, abort, current_app, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError

from .config import DEFAULTS, ROOT


def create_app(test_config: dict | None = None) -> Flask:
    """The application factory (flaskr's order: config, extensions, blueprints)."""
    # The faces and the runtime are imported here, not when the package is: importing any sandbox module
    # (the domain's, a bench script's) runs this file first, and should not load every face with it.
    from . import cli, filters
    from .admin import bp as admin_bp
    from .admin.blueprint import host_guard
    from .api import bp as api_bp
    from .cbui import bp as cbui_bp
    from .merchant import bp as merchant_bp
    from .student import bp as student_bp
    from .extensions import csrf, db, migrate
    from .runtime.hosts import HostCheck
    from .runtime.routing import carry_sandbox, route
    from .runtime.sandboxes import Sandboxes
    from .runtime.sessions import CachedSerializerSessionInterface
    from .runtime.worker import ensure_started
    from .urls import RowId

    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(ROOT / "instance"), instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("FPS_SANDBOX")
    else:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    _database_url(app)
    app.config.setdefault("SECRET_KEY", None)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))

    app.session_interface = CachedSerializerSessionInterface()

    app.before_request(_before_request(app, host_guard, route, csrf, ensure_started))
    app.url_defaults(carry_sandbox)
    db.init_app(app)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # Flask-WTF's hook stands aside: _before_request checks, in its place
    csrf.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    with app.app_context():
        app.extensions["fps_sandbox"] = default = _services(app, db.engine)
        app.extensions["fps_sandboxes"] = Sandboxes(default, app.config["FPS_SEED"], not app.config.get("FPS_CLOCK"))

    app.wsgi_app = HostCheck(app.wsgi_app)  # a malformed Host header: 400 before Werkzeug builds URLs for it

    app.url_map.converters["row"] = RowId  # /admin/requests/<row:pk>: a key the database can hold, else 404
    csrf.exempt(api_bp)  # the Query API is authenticated by its signature, not by a browser session
    app.register_blueprint(api_bp)
    app.register_blueprint(cbui_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(merchant_bp)
    app.register_blueprint(student_bp)

    cli.register(app)
    filters.register(app)
    _error_pages(app)
    return app


def _before_request(app: Flask, host_guard, route, csrf, ensure_started):
    """The application's before_request, one function: the console's host guard first (before CSRF and every
    other check), then the request's sandbox (runtime/routing.py), Flask-WTF's CSRF check (its exemptions
    honoured), the NUL check, the base URL, the background worker. A Query API call needs only the sandbox and
    what follows the NUL check: it is authenticated by its signature and answers its own errors (a hook for
    each step cost a Pay 1.9% of its instructions and a read 3.2%, docs/performance.md)."""
    worker = app.config["FPS_BACKGROUND_WORKER"]

    def before_request():
        api = request.blueprint == "api"
        if not api:
            refused = host_guard()
            if refused is not None:
                return refused
        routed = route()
        if routed is not None:
            return routed
        if not api:
            if app.config["WTF_CSRF_ENABLED"]:
                csrf.protect(apply_exemptions=True)
            _refuse_nul()
        _remember_base_url()
        if worker:
            ensure_started(app)
        return None

    return before_request


def _remember_base_url():
    """The URL requests come in on, for certificateUrl in notifications sent from the worker."""
    here = g.get("fps_services")  # and the request's sandbox's (its own, when it is a seeded request's copy)
    for svc in (current_app.extensions["fps_sandbox"], here, here and here.base):
        if svc is not None and svc.seen_base_url is None:
            svc.seen_base_url = request.host_url.rstrip("/")


def _refuse_nul():
    """A 400 page for a NUL character in a page's path, query or form (the API answers its own error)."""
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.method == "POST":
        values += [*request.form.keys(), *request.form.values()]
    if any("\x00" in v for v in values):
        abort(400)
    return None


def _database_url(app: Flask) -> None:
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or os.environ.get("DATABASE_URL")
    if not url:
        url = f"sqlite:///{Path(app.instance_path) / 'sandbox.sqlite'}"
    for prefix in ("postgres://", "postgresql://"):  # the driver we ship is psycopg 3
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    app.config["SQLALCHEMY_DATABASE_URI"] = url


def _instance_secret(instance: Path) -> str:
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _services(app: Flask, engine):
    """The sandbox's services from the configuration (imported here: see create_app)."""
    from .api.auth import parse_timestamp
    from .runtime.certs import Signer
    from .runtime.clock_store import shared_clock
    from .domain.fees import FeeSchedule
    from .domain.ids import IdGenerator
    from .domain.money import parse_cents
    from .domain.policy import Policy
    from .runtime.request_log import RequestLog
    from .runtime.services import Services
    from .runtime.storage import Storage

    cfg = app.config
    schedule = cfg["FPS_FEE_SCHEDULE"]
    schedule_path = ROOT / "fixtures" / "fees" / f"{schedule}.json" if "/" not in schedule else Path(schedule)
    lock = f"{engine.url.database}.lock" if engine.dialect.name == "sqlite" and engine.url.database else None
    storage = Storage(engine, lock)
    return Services(
        storage=storage,
        request_log=RequestLog(storage, buffered=bool(cfg["FPS_BACKGROUND_WORKER"]),
                               durable=bool(cfg["FPS_DURABLE_REQUEST_LOG"])),
        policy=Policy(FeeSchedule.load(schedule_path), parse_cents(cfg["FPS_MIN_AMOUNT"]),
                      parse_cents(cfg["FPS_MAX_AMOUNT"]), timedelta(seconds=float(cfg["FPS_PENDING_SECONDS"])),
                      bool(cfg["FPS_AMOUNT_TRIGGERS"]), cfg["FPS_RECIPIENT_VERIFICATION_STATUS"]),
        signer=Signer(cfg["FPS_KEY_DIR"] or app.instance_path),
        ids=IdGenerator(cfg["FPS_SEED"]),
        seed=None if cfg["FPS_SEED"] is None else str(cfg["FPS_SEED"]),
        epoch=parse_timestamp(str(cfg["FPS_SEED_EPOCH"]), "FPS_SEED_EPOCH"),
        clock=cfg.get("FPS_CLOCK") or shared_clock(storage),
        signature_mode=cfg["FPS_SIGNATURE_MODE"],
        clock_skew=timedelta(seconds=int(cfg["FPS_CLOCK_SKEW_SECONDS"])),
        public_url=(cfg["FPS_PUBLIC_URL"] or "").rstrip("/") or None,
        ipn_schedule=tuple(timedelta(seconds=float(x)) for x in str(cfg["FPS_IPN_RETRY_SECONDS"]).split(",") if x),
    )


ERROR_PAGES = {
    400: ("Bad request", "The sandbox could not understand this request."),
    404: ("Page not found", "There is no page at this address."),
    405: ("Method not allowed", "This page does not accept that kind of request."),
    413: ("Request too large", "The request was larger than the sandbox accepts."),
    500: ("Something went wrong", "The sandbox hit an internal error; the request changed nothing."),
}


def _error_pages(app: Flask) -> None:
    """Clear pages (never a traceback) for HTTP errors outside the Query API."""
    from .api.render import render_http_error  # a face: see create_app

    def page(title: str, message: str, status: int):
        def handler(_err):
            if request.path == "/" and (request.method != "GET" or request.query_string):  # the Query API
                return render_http_error(status, request.method)
            if request.path.startswith("/admin/api/") or request.path.endswith(".json"):  # the JSON control API
                return jsonify(error=message), status
            if request.path.startswith("/admin/") and status == 404:  # inside the console, with its navigation
                return render_template("admin/missing.html", title=title), status
            return render_template("errors/page.html", title=title, message=message), status

        return handler

    for status, (title, message) in ERROR_PAGES.items():
        app.register_error_handler(status, page(title, message, status))
    app.register_error_handler(CSRFError, page(
        "Form expired", "The form was missing its security token or it expired. Go back, reload the page and "
        "try again.", 400))
