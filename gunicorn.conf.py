"""Gunicorn settings for FPS Sandbox (gunicorn loads ./gunicorn.conf.py by itself)."""

import sys


def post_worker_init(worker):
    """Refuse to serve a database whose schema is not this code's (`flask init-db` upgrades it; `make run`
    calls it), then start the background worker (due completions, notification deliveries) at once, so a
    restarted server delivers what is queued without waiting for a request."""
    from sandbox.runtime import schema
    from sandbox.runtime.services import services
    from sandbox.runtime.storage import keep_thread_connection
    from sandbox.runtime.worker import ensure_started

    from sqlalchemy.exc import SQLAlchemyError

    app = worker.wsgi
    keep_thread_connection()  # this thread serves every request of the worker: one connection, kept
    try:
        with app.app_context(), services().storage.read() as conn:
            ready = schema.is_stamped(conn) and schema.current(conn) == schema.head()
    except (schema.SchemaError, SQLAlchemyError) as exc:
        worker.log.error(str(exc).splitlines()[0])
        ready = False
    if not ready:
        worker.log.error("The database's schema is not this code's: run `flask --app app init-db` (make run does) "
                         "to create or upgrade it, keeping every row.")
        sys.exit(3)  # gunicorn's "worker failed to boot": the server stops instead of answering 500s
    host, _, port = str(worker.cfg.bind[0] if worker.cfg.bind else "").rpartition(":")
    if port.isdigit():  # where notifications to this server's own inbox go before a request has come in
        local = host in ("", "0.0.0.0", "[::]")  # noqa: S104 - read, not bound
        app.extensions["fps_sandbox"].bound_url = f"http://{'127.0.0.1' if local else host}:{port}"
    if app.config.get("FPS_BACKGROUND_WORKER"):
        ensure_started(app)
