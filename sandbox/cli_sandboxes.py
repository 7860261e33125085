"""`flask sandboxes ...`: the classroom from the command line (create from names or a CSV file, list, print
the roster, reset, delete), as /admin/classroom does it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click
from flask import Flask, current_app

from .config import ROOT
from .runtime import classroom
from .runtime.routing import sandboxes
from .runtime.sandboxes import UnknownSandbox
from .runtime.world import load_fixture


def _fixture() -> dict:
    return load_fixture(ROOT / current_app.config["FPS_FIXTURE"])


def register_sandboxes(app: Flask) -> None:
    @app.cli.group("sandboxes")
    def group() -> None:
        """A sandbox per student: create, list, roster, reset, delete."""

    @group.command("create")
    @click.argument("names", nargs=-1)
    @click.option("--file", "path", type=click.Path(dir_okay=False, exists=True), help="A CSV file: names in the "
                  "first column.")
    @click.option("--lesson", default=classroom.DEMO, show_default=True, help="demo, or a snapshot's name.")
    @click.option("--seed", default=None, help="Reproducible keys and ids.")
    def create(names: tuple[str, ...], path: str | None, lesson: str, seed: str | None) -> None:
        """Create a sandbox per name, each loaded from LESSON."""
        table = Path(path).read_text(encoding="utf-8-sig", errors="replace") if path else ""
        try:
            made = classroom.create(sandboxes(), classroom.parse_roster("\n".join(names), table), lesson, _fixture(),
                                    current_app.config["FPS_MAX_SANDBOXES"], seed)
        except classroom.RosterError as exc:
            raise click.ClickException("nothing was created:\n  " + "\n  ".join(exc.problems)) from None
        click.echo(f"Created {len(made)} sandbox(es): {', '.join(row.name for row in made)}.")

    @group.command("list")
    def listing() -> None:
        """Every sandbox: name, lesson, callers' access keys."""
        for row in sandboxes().registered():
            keys = " ".join(c.access_key for c in classroom.callers(sandboxes().of(row)))
            click.echo(f"{row.name}\t{row.lesson}\t{row.title}\t{keys}")

    @group.command("roster")
    @click.argument("name", required=False)
    def roster(name: str | None) -> None:
        """Each sandbox's callers with their keys and secrets, as CSV."""
        text = io.StringIO()
        out = csv.writer(text, lineterminator="\n")
        out.writerow(["sandbox", "student", "caller", "access_key", "secret_key"])
        for row in sandboxes().registered():
            if name in (None, row.name):
                for c in classroom.callers(sandboxes().of(row)):
                    out.writerow([row.name, row.title, c.name, c.access_key, c.secret_key])
        click.echo(text.getvalue(), nl=False)

    @group.command("reset")
    @click.argument("names", nargs=-1)
    @click.option("--all", "every", is_flag=True, help="Every sandbox but the default one.")
    def reset(names: tuple[str, ...], every: bool) -> None:
        """Load sandboxes again from their lessons (their keys stay the same)."""
        for name in _chosen(names, every):
            try:
                lesson, _ = classroom.reset(sandboxes(), name, _fixture())
            except UnknownSandbox:
                raise click.ClickException(f"there is no sandbox named {name!r}") from None
            except classroom.RosterError as exc:
                raise click.ClickException(f"{name}: {exc}") from None
            click.echo(f"Reset {name} to {lesson}.")

    @group.command("delete")
    @click.argument("names", nargs=-1)
    @click.option("--all", "every", is_flag=True, help="Every sandbox but the default one.")
    def delete(names: tuple[str, ...], every: bool) -> None:
        """Delete sandboxes with everything in them."""
        for name in _chosen(names, every):
            try:
                gone = classroom.delete_sandbox(sandboxes(), name)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from None
            if not gone:
                raise click.ClickException(f"there is no sandbox named {name!r}")
            click.echo(f"Deleted {name}.")


def _chosen(names: tuple[str, ...], every: bool) -> list[str]:
    if every:
        return [row.name for row in sandboxes().registered()]
    if not names:
        raise click.UsageError("name one sandbox or more, or say --all")
    return list(names)
