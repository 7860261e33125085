"""Named snapshots: a sandbox's whole state saved as JSON, restored exactly (ids included).

Kept in the sandbox's own `snapshot` table, so every server sees them and a reset does not take them
with it (files saved by earlier versions in instance/snapshots are read in by `flask init-db`). Each
carries its schema revision; one saved by an older version is upgraded on restore through the same
migrations as a database (runtime/schema.py), one from a newer version is refused. Restoring replaces
every table's rows in one transaction (and moves PostgreSQL's id sequences on). The KEPT tables (the
sandbox registry, the snapshots themselves) and the database's schema revision are never part of one.
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
from ..models import Base, Snapshot
from .storage import Storage

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}")
SHIPPED = ROOT / "fixtures" / "snapshots"  # lessons' starting points that ship with the sandbox (read-only)
TABLES = [table for table in Base.metadata.sorted_tables if not table.info.get("kept")]  # what a snapshot holds


@dataclass(frozen=True)
class Restored:
    rows: int
    upgraded_from: str | None  # the snapshot's schema revision when it was older than this code's


def folder_for(app) -> Path:
    """Where versions before 0013 kept an app's snapshot files: FPS_SNAPSHOT_DIR, else instance/snapshots."""
    return Path(app.config["FPS_SNAPSHOT_DIR"] or Path(app.instance_path) / "snapshots")


def check_name(name: str) -> str:
    """The name, if it is one a snapshot may have.

    :raises ValueError: it is not.
    """
    if not NAME_RE.fullmatch(name or ""):
        raise ValueError("a snapshot name is 1-64 letters, digits, spaces, '.', '_' or '-'")
    return name


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def save(storage: Storage, name: str) -> int:
    """Save every table's rows under `name` (replacing a snapshot of that name); answers how many rows."""
    check_name(name)
    if (SHIPPED / f"{name}.json").exists():
        raise ValueError(f"the name {name!r} belongs to a lesson that ships with the sandbox; choose another")
    data, count = {}, 0
    with storage.read() as conn:
        if conn.dialect.name == "postgresql":  # one consistent view across all tables
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for table in TABLES:
            rows = [{k: _plain(v) for k, v in row._mapping.items()}
                    for row in conn.execute(select(table).order_by(*table.primary_key.columns))]
            data[table.name] = rows
            count += len(rows)
    now = utcnow()
    body = json.dumps({"saved_at": now.isoformat(), "schema": schema.head(), "tables": data})
    with storage.write() as conn:
        conn.execute(delete(Snapshot).where(Snapshot.name == name))
        conn.execute(insert(Snapshot).values(name=name, saved_at=now, revision=schema.head(), rows=count, body=body))
    return count


def document(storage: Storage, name: str) -> dict:
    """The snapshot `name` as saved: the sandbox's own, else a lesson that ships with the sandbox.

    :raises ValueError: there is none, or it is not a snapshot the sandbox saved.
    """
    check_name(name)
    with storage.read() as conn:
        body = conn.execute(select(Snapshot.body).where(Snapshot.name == name)).scalar()
    if body is None and (SHIPPED / f"{name}.json").exists():
        body = (SHIPPED / f"{name}.json").read_text()
    if body is None:
        raise ValueError(f"there is no snapshot named {name!r}")
    return _parsed(body, name)


def _parsed(body: str, name: str) -> dict:
    try:
        found = json.loads(body)
        if not isinstance(found["tables"], dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise ValueError(f"the file of snapshot {name!r} is not a snapshot the sandbox saved") from None
    return found


def restore(storage: Storage, name: str) -> Restored:
    """Replace the whole state with the snapshot's, upgraded first if an older version saved it."""
    return restore_document(storage, document(storage, name))


def restore_document(storage: Storage, found: dict) -> Restored:
    """Replace the whole state with a snapshot's (`document`'s answer), in one transaction."""
    tables = found["tables"]
    revision = _revision_of(found)
    if revision != schema.head():
        tables = _upgraded(tables, revision)
    count = 0
    with storage.write() as conn:
        for table in reversed(TABLES):
            conn.execute(delete(table))
        for table in TABLES:
            rows = [_typed(table, row) for row in tables.get(table.name, [])]
            if rows:
                conn.execute(insert(table), rows)
                count += len(rows)
            if conn.dialect.name == "postgresql" and "id" in table.c and isinstance(table.c.id.type, Integer) and rows:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                  f"(SELECT max(id) FROM {table.name}))"))
    return Restored(count, None if revision == schema.head() else revision)


def import_files(storage: Storage, folder: Path) -> list[str]:
    """Read the snapshot files an earlier version saved in `folder` into the database (those it does not
    hold yet; the files stay); answers their names. A file that is not a snapshot is left out."""
    if not folder.is_dir():
        return []
    with storage.read() as conn:
        held = set(conn.execute(select(Snapshot.name)).scalars())
    done = []
    for path in sorted(folder.glob("*.json")):
        if path.stem in held or not NAME_RE.fullmatch(path.stem):
            continue
        body = path.read_text()
        try:
            found = _parsed(body, path.stem)
            saved = datetime.fromisoformat(found.get("saved_at", ""))
        except ValueError:
            continue
        rows = sum(len(v) for v in found["tables"].values() if isinstance(v, list))
        with storage.write() as conn:
            conn.execute(insert(Snapshot).values(name=path.stem, saved_at=saved.replace(tzinfo=None),
                                                 revision=str(found.get("schema") or "legacy")[:32], rows=rows,
                                                 body=body))
        done.append(path.stem)
    return done


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


def listing(storage: Storage) -> list[tuple[str, str]]:
    """(name, saved at) of every snapshot this sandbox has saved, newest first."""
    with storage.read() as conn:
        rows = conn.execute(select(Snapshot.name, Snapshot.saved_at).order_by(Snapshot.saved_at.desc())).all()
    return [(name, saved.isoformat()) for name, saved in rows]


def delete_named(storage: Storage, name: str) -> bool:
    """Delete the snapshot `name`; answers whether there was one."""
    with storage.write() as conn:
        return conn.execute(delete(Snapshot).where(Snapshot.name == name)).rowcount > 0
