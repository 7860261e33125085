"""Command-line tasks: `flask init-db` (create or upgrade), `flask reset`, `flask check-books`, `flask banner`, ..."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app

from .api.actions import NOT_YET, REGISTRY
from .api.render import STATUS_FOR_CODE
from .cbui.pipelines import PIPELINES, SUPPORTED
from .cli_sandboxes import register_sandboxes
from .config import ROOT
from .domain import errors
from .domain.books import check_books
from .domain.clock import utcnow
from .runtime import schema, seeded, snapshots
from .runtime.routing import sandboxes
from .runtime.services import services, tick
from .runtime.world import is_empty, load_fixture, reset, seed


def _fixture() -> dict:
    return load_fixture(ROOT / current_app.config["FPS_FIXTURE"])


def _init_or_upgrade(storage, fixture: dict) -> str:
    """Create the default sandbox's database with the demo world, or upgrade it; answers what was done."""
    with storage.read() as conn:
        found, stamped = schema.current(conn), schema.is_stamped(conn)
    if found is None or (found == schema.head() and stamped):
        with storage.write() as conn:
            if found is None:
                reset(conn, fixture, utcnow())
                return "Created the database and loaded the demo world."
            if is_empty(conn):  # tables but no accounts: nothing to keep
                seed(conn, fixture, utcnow())
                return "The database was empty: loaded the demo world."
        return "The database is up to date; kept as it is (`flask reset` starts over)."
    backup = schema.backup_sqlite(storage.engine, found) if found != schema.head() else None
    with storage.write() as conn:
        before, after = schema.upgrade(conn)
    if before == after:  # made by the release before migrations that had this schema
        return f"Recorded the database's schema ({after}) for later upgrades; every row kept."
    return (f"Upgraded the database from schema {before} to {after}, keeping every row"
            + (f" (a copy from before: {backup})." if backup else "."))


def _on_terminal() -> bool:
    return sys.stdin.isatty()


def register(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db() -> None:
        """Create the database with the demo world, or upgrade an existing one in place (every row kept),
        then every other sandbox's; read in snapshot files an earlier version saved."""
        try:
            click.echo(_init_or_upgrade(services().storage, _fixture()))
            for row in sandboxes().registered():
                storage = sandboxes().of(row).storage
                with storage.read() as conn:
                    found = schema.current(conn)
                if found != schema.head():
                    with storage.write() as conn:
                        before, after = schema.upgrade(conn)
                    click.echo(f"Upgraded sandbox {row.name} from schema {before} to {after}, keeping every row.")
        except schema.SchemaError as exc:
            raise click.ClickException(str(exc)) from None
        imported = snapshots.import_files(services().storage, snapshots.folder_for(current_app))
        if imported:
            click.echo(f"Read {len(imported)} snapshot file(s) into the database: {', '.join(imported)} (the files "
                       f"stay in {snapshots.folder_for(current_app)}).")

    @app.cli.command("reset")
    @click.option("--yes", is_flag=True, help="Do not ask first.")
    def reset_command(yes: bool) -> None:
        """Throw everything away and load the demo world again (asks first on a terminal)."""
        if not yes and _on_terminal():
            click.confirm("This throws away every instrument, token, transaction and ledger line in "
                          f"{services().storage.engine.url.render_as_string(hide_password=True)}. Go on?",
                          abort=True)
        with services().storage.write() as conn:
            reset(conn, _fixture(), utcnow())
        click.echo("The sandbox is back to the demo world.")

    register_sandboxes(app)

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
        """Complete due transactions and deliver due notifications in every sandbox (for setups without the
        worker)."""
        completed = sent = 0
        for svc in sandboxes().everyone():
            done = tick(seeded.for_request(svc, numbered=False))  # a seeded sandbox's: at its last request's time
            completed, sent = completed + done[0], sent + done[1]
        click.echo(f"Completed {completed} due transaction(s); made {sent} notification delivery attempt(s).")

    @app.cli.command("error-codes")
    def error_codes() -> None:
        """Print the table of FPS error codes in docs/forcing-outcomes.md: HTTP status, retriable, meaning."""
        click.echo("| Code | HTTP | Retriable | Default message |\n|---|---|---|---|")
        for code in sorted(errors.REGISTRY):
            cls = errors.REGISTRY[code]
            click.echo(f"| `{code}` | {STATUS_FOR_CODE.get(code, 400)} | {'yes' if cls.retriable else 'no'} | "
                       f"{cls.message} |")

    @app.cli.command("coverage")
    def coverage() -> None:
        """Print COVERAGE.md: every FPS action and Co-Branded pipeline, emulated or not."""
        emulated = sorted(REGISTRY)
        click.echo("# Implementation coverage\n\nGenerated by `flask --app app coverage > COVERAGE.md` (a test keeps it "
                   f"current). {len(emulated)} of {len(emulated) + len(NOT_YET)} FPS actions and {len(SUPPORTED)} of "
                   f"{len(PIPELINES)} Co-Branded pipelines are emulated; the others answer `InvalidAction` or "
                   "`status=CE`.\n\n## Query API actions\n")
        for name in sorted([*emulated, *NOT_YET]):
            if name in REGISTRY:
                act = REGISTRY[name]
                doc = (act.handler.__doc__ or "").strip().splitlines()[0]
                click.echo(f"- [x] `{name}`{' (writes)' if act.writes else ''}: {doc}")
            else:
                click.echo(f"- [ ] `{name}`")
        click.echo("\n## Co-Branded pipelines\n")
        for name in PIPELINES:
            click.echo(f"- [{'x' if name in SUPPORTED else ' '}] `{name}`")

    @app.cli.command("snapshot")
    @click.argument("verb", type=click.Choice(["save", "restore", "list"]))
    @click.argument("name", required=False, default="")
    def snapshot_command(verb: str, name: str) -> None:
        """Save, restore or list named snapshots of the whole sandbox."""
        storage = services().storage
        if verb == "list":
            for found, saved in snapshots.listing(storage):
                click.echo(f"{found}\t{saved}")
            for found, about in snapshots.shipped():
                click.echo(f"{found}\t(ships with the sandbox) {about}")
            return
        try:
            if verb == "save":
                return click.echo(f"Saved snapshot {name!r} ({snapshots.save(storage, name)} rows).")
            restored = snapshots.restore(storage, name)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Restored snapshot {name!r} ({restored.rows} rows"
                   + (f", upgraded from schema {restored.upgraded_from})." if restored.upgraded_from else ")."))

    @app.cli.command("banner")
    @click.option("--url", default="http://127.0.0.1:5000")
    def banner(url: str) -> None:
        """Print the URLs and demo logins."""
        world = _fixture()
        click.echo(f"\nFPS Sandbox on {url}  (sandbox: no real money)\n")
        click.echo(f"  Query API endpoint   {url}/")
        click.echo(f"  Co-Branded UI        {url}/cobranded-ui/actions/start")
        click.echo(f"  Admin console        {url}/admin/   (one-click outcomes: {url}/admin/recipes)")
        click.echo(f"  Merchant inbox       {url}/merchant/   (returnURL {url}/merchant/return; IPNs land here)")
        click.echo(f"  Signing certificate  {url}/certs/{services().signer.cert_dir}/PKICert.pem\n")
        for acc in world["accounts"]:
            if acc.get("access_key"):
                click.echo(f"  Caller {acc['name']}: AWSAccessKeyId={acc['access_key']}  secret={acc['secret_key']}")
        for acc in world["accounts"]:
            if acc.get("password"):
                click.echo(f"  Buyer  {acc['name']}: {acc['email']} / {acc['password']}  (balance ${acc['balance']})")
        click.echo("")
