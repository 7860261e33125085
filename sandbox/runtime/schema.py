"""Which schema a database has, and bringing it to this code's: Alembic migrations in migrations/.

A database made before migrations (schemas 6 and 7) has no alembic_version table; its sandbox_meta
row `schema_version` says which release made it, and it is stamped with that release's baseline
revision before upgrading. Upgrades run inside the caller's write transaction, so a failed one
leaves the database as it was. Nothing here throws data away except `drop_everything`.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, insert, inspect, select

from ..config import ROOT
from ..domain.text import ascii_digits
from ..models import Base, SandboxMeta

MIGRATIONS = ROOT / "migrations"
# The schema_version row of releases before migrations, and the revision each one is stamped with.
# The row stays at 7 for good: release 7 reloads the demo world into any database that says otherwise.
LEGACY_REVISIONS = {6: "0006", 7: "0007"}
LEGACY_MARK = "7"


class SchemaError(Exception):
    """A database this code will not touch: made by a newer version, or not upgradable. It is left as it is."""


def _config(conn: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


@cache
def _scripts() -> ScriptDirectory:
    """migrations/ as Alembic reads it (once: the folder does not change while the code runs)."""
    return ScriptDirectory.from_config(_config())


def head() -> str:
    """The revision this code's tables are at."""
    return _scripts().get_current_head()


def is_known(revision: str) -> bool:
    """Whether this code has that revision (an older or the current schema)."""
    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False


def _legacy_version(conn: Connection) -> int | None:
    if not inspect(conn).has_table(SandboxMeta.__tablename__):
        return None
    value = conn.execute(select(SandboxMeta.value).where(SandboxMeta.key == "schema_version")).scalar()
    return int(value) if value and ascii_digits(value) else None


def current(conn: Connection) -> str | None:
    """The database's revision; None when it holds no table of the sandbox's.

    :raises SchemaError: made by a newer version of the sandbox, or by one too old to upgrade.
    """
    found = MigrationContext.configure(conn).get_current_revision()
    if found is not None:
        if not is_known(found):
            raise SchemaError(f"The database was made by a newer version of the sandbox (schema revision {found}; "
                              f"this code knows up to {head()}). It was left untouched: run the newer code, or "
                              f"point DATABASE_URL elsewhere.")
        return found
    legacy = _legacy_version(conn)
    if legacy in LEGACY_REVISIONS:
        return LEGACY_REVISIONS[legacy]
    ours = {table.name for table in Base.metadata.sorted_tables} & set(inspect(conn).get_table_names())
    if not ours:
        return None
    if legacy is None:
        raise SchemaError(f"The database has sandbox tables ({', '.join(sorted(ours)[:3])}, …) but no record of the "
                          f"schema they have, so it cannot be upgraded safely. It was left untouched.")
    raise SchemaError(f"The database was made by an early version of the sandbox (schema {legacy}); upgrades "
                      f"start from schema 6. It was left untouched: `flask reset` starts over (it throws its data "
                      f"away), or point DATABASE_URL elsewhere.")


def is_stamped(conn: Connection) -> bool:
    """Whether the database records its revision (made or upgraded since migrations came in)."""
    return MigrationContext.configure(conn).get_current_revision() is not None


def upgrade(conn: Connection, target: str = "head") -> tuple[str | None, str]:
    """Migrate to `target` (from nothing, from a release before migrations, or from a revision) inside the
    caller's transaction; answers (from, to)."""
    found = current(conn)
    if found is not None and not is_stamped(conn):
        stamp(conn, found)  # a release before migrations: its baseline
    command.upgrade(_config(conn), target)
    return found, MigrationContext.configure(conn).get_current_revision()


def stamp(conn: Connection, revision: str = "head") -> None:
    """Record the schema revision without running anything (the tables are already so)."""
    command.stamp(_config(conn), revision)


def create_fresh(conn: Connection) -> None:
    """Create every table as this code has them, stamped with the head revision."""
    Base.metadata.create_all(conn)
    conn.execute(insert(SandboxMeta).values(key="schema_version", value=LEGACY_MARK))
    stamp(conn, "head")


def drop_everything(conn: Connection) -> None:
    """Drop the sandbox's tables and its schema revision (only for an explicit reset); the KEPT tables
    (models/classroom.py: the registry of sandboxes, the snapshots) stay with their rows."""
    Base.metadata.drop_all(conn, tables=[table for table in Base.metadata.sorted_tables if not table.info.get("kept")])
    if inspect(conn).has_table("alembic_version"):
        conn.exec_driver_sql("DROP TABLE alembic_version")


def backup_sqlite(engine: Engine, revision: str) -> Path | None:
    """Copy a SQLite database file aside before it is upgraded; answers the copy's path (None if not a file)."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    source = Path(engine.url.database)
    target = source.with_name(f"{source.name}.before-{revision}-{datetime.now():%Y%m%d-%H%M%S}.bak")
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return target
