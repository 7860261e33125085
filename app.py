"""Entry point: `flask --app app run`, `gunicorn app:app`, `flask --app app shell`."""

from sandbox import create_app
from sandbox.extensions import db
from sandbox import models

app = create_app()


@app.shell_context_processor
def shell_context():
    return {"db": db, "models": models}
