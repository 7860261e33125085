"""Gunicorn settings for FPS Sandbox (gunicorn loads ./gunicorn.conf.py by itself)."""


def post_worker_init(worker):
    """Start the background worker (due completions, notification deliveries) as soon as a server
    process is up, so a restarted server delivers what is queued without waiting for a request."""
    from sandbox.worker import ensure_started

    app = worker.wsgi
    if app.config.get("FPS_BACKGROUND_WORKER"):
        ensure_started(app)
