"""The student page's one view (see the package's docstring)."""

from __future__ import annotations

import hmac

from flask import Blueprint, abort, render_template, request

from ..domain import coverage
from ..queries import classroom as classroom_queries
from ..runtime import classroom
from ..runtime.routing import enter, sandboxes
from ..runtime.sandboxes import NAME_RE

bp = Blueprint("student", "sandbox.student", url_prefix="/student")
LATEST = 25


@bp.route("/<name>/<key>")
def page(name: str, key: str):
    """The read-only page of sandbox `name`; 404 for a wrong key as for an unknown name."""
    row = sandboxes().find(name) if NAME_RE.fullmatch(name) else None
    if row is None or not hmac.compare_digest(classroom.page_key(row).encode(), key.encode()[:64]):
        abort(404)
    svc = sandboxes().of(row)
    enter(svc)
    with svc.storage.read() as conn:
        activity = classroom_queries.activity(conn)
        latest = classroom_queries.latest_calls(conn, LATEST)
    return render_template("student/page.html", row=row, activity=activity, latest=latest,
                           callers=classroom.callers(svc), checklist=coverage.CHECKLIST,
                           base=request.host_url.rstrip("/"))
