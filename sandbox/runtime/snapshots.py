"""Named snapshots: the whole sandbox state saved as JSON, restored exactly (ids included).

Kept as files in instance/snapshots/, so a reset of the database does not take them with it. Each
carries its schema revision; one saved by an older version is upgraded on restore through the same
migrations as a database (runtime/schema.py), one from a newer version is refused. Restoring
replaces every table's rows in one transaction (and moves PostgreSQL's id sequences on); the
database's own schema revision is never part of a snapshot.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import DateTime, Integer, MetaData, create_engine, delete, insert, select, text
from sqlalchemy.pool import StaticPool

from . import schema
from ..config import ROOT
from ..domain.clock import utcnow
from ..domain.text import ascii_digits
from ..models import Base
from .storage import Storage

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}")
SHIPPED = ROOT / "fixtures" / "snapshots"  # lessons' starting points that ship with the sandbox (read-only)


@dataclass(frozen=True)
class Restored:
    rows: int
    upgraded_from: str | None  # the snapshot's schema revision when it was older than this code's


def folder_for(app) -> Path:
    """Where an app keeps its snapshots: FPS_SNAPSHOT_DIR, else instance/snapshots."""
    return Path(app.config["FPS_SNAPSHOT_DIR"] or Path(app.instance_path) / "snapshots")


def _file(folder: Path, name: str) -> Path:
    if not NAME_RE.fullmatch(name or ""):
        raise ValueError("a snapshot name is 1-64 letters, digits, spaces, '.', '_' or '-'")
    return folder / f"{name}.json"


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def save(storage: Storage, folder: Path, name: str) -> int:
    """Save every table's rows under `name`; answers how many rows."""
    path = _file(folder, name)
    if (SHIPPED / path.name).exists():
        raise ValueError(f"the name {name!r} belongs to a lesson that ships with the sandbox; choose another")
    data, count = {}, 0
    with storage.read() as conn:
        if conn.dialect.name == "postgresql":  # one consistent view across all tables
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for table in Base.metadata.sorted_tables:
            rows = [{k: _plain(v) for k, v in row._mapping.items()}
                    for row in conn.execute(select(table).order_by(*table.primary_key.columns))]
            data[table.name] = rows
            count += len(rows)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"saved_at": utcnow().isoformat(), "schema": schema.head(), "tables": data}))
    tmp.replace(path)
    return count


def restore(storage: Storage, folder: Path, name: str) -> Restored:
    """Replace the whole state with the snapshot's, upgraded first if an older version saved it."""
    path = _file(folder, name)
    if not path.exists():
        path = SHIPPED / path.name
    if not path.exists():
        raise ValueError(f"there is no snapshot named {name!r}")
    try:
        document = json.loads(path.read_text())
        tables = document["tables"]
        if not isinstance(tables, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise ValueError(f"the file of snapshot {name!r} is not a snapshot the sandbox saved") from None
    revision = _revision_of(document)
    if revision != schema.head():
        tables = _upgraded(tables, revision)
    count = 0
    with storage.write() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))
        for table in Base.metadata.sorted_tables:
            rows = [_typed(table, row) for row in tables.get(table.name, [])]
            if rows:
                conn.execute(insert(table), rows)
                count += len(rows)
            if conn.dialect.name == "postgresql" and "id" in table.c and isinstance(table.c.id.type, Integer) and rows:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                  f"(SELECT max(id) FROM {table.name}))"))
    return Restored(count, None if revision == schema.head() else revision)


def _revision_of(document: dict) -> str:
    """The snapshot's schema revision; a snapshot saved before migrations says it in sandbox_meta."""
    revision = document.get("schema")
    if revision is None:
        legacy = next((row.get("value") for row in document["tables"].get("sandbox_meta", [])
                       if row.get("key") == "schema_version"), "")
        revision = schema.LEGACY_REVISIONS.get(int(legacy) if ascii_digits(str(legacy)) else None)
        if revision is None:
            raise ValueError(f"the snapshot was saved by a version of the sandbox that cannot be upgraded "
                             f"(schema {legacy or 'unknown'}); upgrades start from schema 6")
    if not isinstance(revision, str) or not schema.is_known(revision):
        raise ValueError(f"the snapshot was saved by a newer version of the sandbox (schema revision {revision}; "
                         f"this code knows up to {schema.head()})")
    return revision


def _upgraded(tables: dict, revision: str) -> dict:
    """The snapshot's rows as this code's tables hold them: loaded into a scratch SQLite database at the
    snapshot's revision, migrated to the head there, and read back."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    try:
        with engine.begin() as conn:
            schema.upgrade(conn, revision)
            then = MetaData()
            then.reflect(conn)
            for table in then.sorted_tables:
                if table.name == "alembic_version":  # the scratch database's own revision: kept
                    continue
                conn.execute(delete(table))  # the baseline's own schema_version row
                rows = [_typed(table, row) for row in tables.get(table.name, [])]
                if rows:
                    conn.execute(insert(table), rows)
            schema.upgrade(conn)
            return {table.name: [{k: _plain(v) for k, v in row._mapping.items()}
                                 for row in conn.execute(select(table).order_by(*table.primary_key.columns))]
                    for table in Base.metadata.sorted_tables}
    finally:
        engine.dispose()


def _typed(table, row: dict) -> dict:
    out = {}
    for key, value in row.items():
        if key in table.c and isinstance(table.c[key].type, DateTime) and value is not None:
            value = datetime.fromisoformat(value)
        out[key] = value
    return out


def shipped() -> list[tuple[str, str]]:
    """(name, what it holds) of every lesson snapshot that ships with the sandbox."""
    return [(path.stem, json.loads(path.read_text()).get("about", "")) for path in sorted(SHIPPED.glob("*.json"))]


def listing(folder: Path) -> list[tuple[str, str]]:
    """(name, saved at) of every snapshot saved here, newest first."""
    if not folder.exists():
        return []
    found = []
    for path in folder.glob("*.json"):
        try:
            saved = json.loads(path.read_text()).get("saved_at", "")
        except ValueError:
            continue
        found.append((path.stem, saved))
    return sorted(found, key=lambda x: x[1], reverse=True)
