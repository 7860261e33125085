"""Named snapshots: the whole sandbox state saved as JSON, restored exactly (ids included).

Kept as files in instance/snapshots/, so a reset of the database does not take them with it.
Restoring replaces every table's rows in one transaction (and moves PostgreSQL's id sequences on).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

from sqlalchemy import DateTime, Integer, delete, insert, select, text

from .models import Base
from .storage import Storage

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}")


def _file(folder: Path, name: str) -> Path:
    if not NAME_RE.fullmatch(name or ""):
        raise ValueError("a snapshot name is 1-64 letters, digits, spaces, '.', '_' or '-'")
    return folder / f"{name}.json"


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def save(storage: Storage, folder: Path, name: str) -> int:
    """Save every table's rows under `name`; answers how many rows."""
    path = _file(folder, name)
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
    tmp.write_text(json.dumps({"saved_at": _now(), "tables": data}))
    tmp.replace(path)
    return count


def _now() -> str:
    from .domain.clock import utcnow

    return utcnow().isoformat()


def restore(storage: Storage, folder: Path, name: str) -> int:
    """Replace the whole state with the snapshot's; answers how many rows."""
    path = _file(folder, name)
    if not path.exists():
        raise ValueError(f"there is no snapshot named {name!r}")
    tables = json.loads(path.read_text())["tables"]
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
    return count


def _typed(table, row: dict) -> dict:
    out = {}
    for key, value in row.items():
        if key in table.c and isinstance(table.c[key].type, DateTime) and value is not None:
            value = datetime.fromisoformat(value)
        out[key] = value
    return out


def listing(folder: Path) -> list[tuple[str, str]]:
    """(name, saved at) of every snapshot, newest first."""
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
