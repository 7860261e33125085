"""Alembic's entry point for the sandbox's migrations.

The sandbox runs them itself (`flask init-db`, which `make run` calls; sandbox/migrations.py) on a
connection it already holds inside one write transaction, passed in as `config.attributes["connection"]`.
`flask db ...` (Flask-Migrate) runs them on the app's engine, for people writing a new migration:
`flask --app app db revision --autogenerate -m "what changes"`, then read and correct what it wrote.
"""

from alembic import context

from sandbox.models import Base

OPTIONS = {"target_metadata": Base.metadata, "render_as_batch": True, "compare_type": True}


def run(connection) -> None:
    context.configure(connection=connection, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("The sandbox's migrations run against a database, not as SQL text (no --sql).")

given = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:  # `flask db upgrade` and friends
    from sandbox.runtime.services import services

    with services().storage.write() as conn:
        run(conn)
