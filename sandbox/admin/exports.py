"""Exports: transactions, ledger lines and the request log as CSV or JSON, streamed a page at a
time so a large sandbox does not have to fit in memory."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from flask import Response, abort

from ..queries.exports import TABLES, rows
from ..runtime.services import services
from .blueprint import bp


def _plain(value):
    return value.isoformat() + "Z" if isinstance(value, datetime) else value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """A CSV cell: text a spreadsheet would run as a formula (descriptions and references come from
    outside) gets a leading apostrophe, as OWASP advises; numbers stay numbers."""
    value = _plain(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv(storage, table):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.c.keys())
    yield out.getvalue()
    for row in rows(storage, table):
        out.seek(0)
        out.truncate()
        writer.writerow([_cell(v) for v in row])
        yield out.getvalue()


def _json(storage, table):
    yield "["
    for n, row in enumerate(rows(storage, table)):
        yield ("," if n else "") + json.dumps({k: _plain(v) for k, v in row._mapping.items()}, ensure_ascii=False)
    yield "]\n"


@bp.route("/export/<name>.<fmt>")
def export(name: str, fmt: str):
    """/admin/export/transactions.csv, ledger.json, requests.csv, ..."""
    if name not in TABLES or fmt not in ("csv", "json"):
        abort(404)
    table = TABLES[name]
    storage = services().storage
    body = _csv(storage, table) if fmt == "csv" else _json(storage, table)
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="fps-sandbox-{name}.{fmt}"'})
