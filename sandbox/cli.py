"""Command-line tasks: `flask init-db`, `flask reset`, `flask check-books`, `flask banner`."""

from __future__ import annotations

import click
from flask import Flask, current_app

from .domain.clock import utcnow
from .domain.ledger import check_books
from .models import SCHEMA_VERSION
from .services import services, tick
from .world import is_empty, load_fixture, reset, schema_version


def _fixture() -> dict:
    from . import ROOT

    return load_fixture(ROOT / current_app.config["FPS_FIXTURE"])


def register(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db() -> None:
        """Create the database with the demo world; keep an existing one made by this version."""
        with services().storage.write() as conn:
            found = schema_version(conn)
            if found == SCHEMA_VERSION and not is_empty(conn):
                click.echo("The database already exists; kept as it is (run `flask reset` to start over).")
                return
            reset(conn, _fixture(), utcnow())
        if found is None:
            click.echo("Created the database and loaded the demo world.")
        else:
            click.echo(f"The database was made by another version of the sandbox (schema {found}, "
                       f"now {SCHEMA_VERSION}): loaded the demo world afresh.")

    @app.cli.command("reset")
    def reset_command() -> None:
        """Throw everything away and load the demo world again."""
        with services().storage.write() as conn:
            reset(conn, _fixture(), utcnow())
        click.echo("The sandbox is back to the demo world.")

    @app.cli.command("check-books")
    def check_books_command() -> None:
        """Check that the ledger balances and matches every balance; exit 1 if not."""
        with services().storage.read() as conn:
            report = check_books(conn)
        click.echo(f"{report.journals} journals, {report.lines} lines, sum {report.total_cents} cents")
        for problem in report.problems:
            click.echo(f"PROBLEM: {problem}")
        if not report.ok:
            raise SystemExit(1)
        click.echo("The books balance.")

    @app.cli.command("tick")
    def tick_command() -> None:
        """Complete due transactions and deliver due notifications (for setups without the worker)."""
        completed, sent = tick(services())
        click.echo(f"Completed {completed} due transaction(s); made {sent} notification delivery attempt(s).")

    @app.cli.command("error-codes")
    def error_codes() -> None:
        """Print the README's table of FPS error codes: HTTP status, retriable, meaning."""
        from .api.render import STATUS_FOR_CODE
        from .domain.errors import REGISTRY

        click.echo("| Code | HTTP | Retriable | Default message |\n|---|---|---|---|")
        for code in sorted(REGISTRY):
            cls = REGISTRY[code]
            click.echo(f"| `{code}` | {STATUS_FOR_CODE.get(code, 400)} | {'yes' if cls.retriable else 'no'} | "
                       f"{cls.message} |")

    @app.cli.command("snapshot")
    @click.argument("verb", type=click.Choice(["save", "restore", "list"]))
    @click.argument("name", required=False, default="")
    def snapshot_command(verb: str, name: str) -> None:
        """Save, restore or list named snapshots of the whole sandbox."""
        from . import snapshots
        from .admin.views import snapshot_dir

        if verb == "list":
            for found, saved in snapshots.listing(snapshot_dir()):
                click.echo(f"{found}\t{saved}")
            return
        action = snapshots.save if verb == "save" else snapshots.restore
        try:
            count = action(services().storage, snapshot_dir(), name)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"{'Saved' if verb == 'save' else 'Restored'} snapshot {name!r} ({count} rows).")

    @app.cli.command("banner")
    @click.option("--url", default="http://127.0.0.1:5000")
    def banner(url: str) -> None:
        """Print the URLs and demo logins."""
        world = _fixture()
        click.echo(f"\nFPS Sandbox on {url}  (sandbox: no real money)\n")
        click.echo(f"  Query API endpoint   {url}/")
        click.echo(f"  Co-Branded UI        {url}/cobranded-ui/actions/start")
        click.echo(f"  Admin console        {url}/admin/")
        click.echo(f"  Signing certificate  {url}/certs/{services().signer.cert_dir}/PKICert.pem\n")
        for acc in world["accounts"]:
            if acc.get("access_key"):
                click.echo(f"  Caller {acc['name']}: AWSAccessKeyId={acc['access_key']}  secret={acc['secret_key']}")
        for acc in world["accounts"]:
            if acc.get("password"):
                click.echo(f"  Buyer  {acc['name']}: {acc['email']} / {acc['password']}  (balance ${acc['balance']})")
        click.echo("")
