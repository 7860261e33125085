"""The JSON control API for test suites (beside /admin/faults.json): reset, snapshots, the clock,
notifications and the state with its books check. Same access rule as the console.

Every change is a POST or DELETE with `Content-Type: application/json` (a page on another site cannot
send one without asking first, so no CSRF token is needed); bad input gets `{"error": ...}` with a 4xx.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, jsonify, request

from ..config import ROOT
from ..domain.books import check_books, quick_check
from ..extensions import csrf
from ..queries import state
from ..runtime import classroom, ipn, snapshots, world
from ..runtime.routing import sandboxes
from ..runtime.services import services
from ..urls import MAX_ROW_ID
from .blueprint import bp

NOTIFICATION_STATES = ("queued", "delivered", "failed", "no_url", "dropped")
MAX_CLOCK_SECONDS = 10 * 365 * 86400  # ten years


class BadInput(Exception):
    """A 4xx with a JSON error."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@bp.errorhandler(BadInput)
def _bad_input(err: BadInput):
    return jsonify(error=str(err)), err.status


def _body() -> dict:
    """The JSON object sent (an empty body counts as {}); BadInput otherwise."""
    if not request.is_json:
        raise BadInput("send Content-Type: application/json", 415)
    if not request.get_data():
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadInput("the body must be a JSON object")
    return data


def _seconds(data: dict, name: str) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not -MAX_CLOCK_SECONDS <= value <= MAX_CLOCK_SECONDS:
        raise BadInput(f"{name} must be a whole number of seconds (at most ten years either way)")
    return value


@bp.route("/api/reset", methods=["POST"])
@csrf.exempt
def api_reset():
    """Throw everything away and load the demo world again."""
    _body()
    try:
        lesson, accounts = classroom.reset(sandboxes(), services().name,
                                           world.load_fixture(ROOT / current_app.config["FPS_FIXTURE"]))
    except classroom.RosterError as exc:
        raise BadInput(str(exc), 409) from None
    return jsonify(reset=True, lesson=lesson, accounts=accounts)


@bp.route("/api/snapshots", methods=["GET", "POST"])
@csrf.exempt
def api_snapshots():
    """GET lists the saved snapshots; POST {"name": ...} saves the whole state under a name."""
    storage = services().storage
    if request.method == "GET":
        return jsonify(snapshots=[{"name": n, "saved_at": at, "shipped": False} for n, at in snapshots.listing(storage)]
                       + [{"name": n, "about": about, "shipped": True} for n, about in snapshots.shipped()])
    name = _body().get("name")
    if not isinstance(name, str):
        raise BadInput("name must be a string")
    try:
        rows = snapshots.save(storage, name.strip())
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    return jsonify(name=name.strip(), rows=rows), 201


@bp.route("/api/snapshots/<name>/restore", methods=["POST"])
@csrf.exempt
def api_restore(name: str):
    """Replace the whole state with a saved snapshot (upgraded first if it is older)."""
    _body()
    storage = services().storage
    if name not in {n for n, _ in [*snapshots.listing(storage), *snapshots.shipped()]}:
        raise BadInput(f"there is no snapshot named {name[:80]!r}", 404)
    try:
        restored = snapshots.restore(storage, name)
    except ValueError as exc:
        raise BadInput(str(exc), 409) from None
    return jsonify(name=name, rows=restored.rows, upgraded_from=restored.upgraded_from)


def _clock_json():
    clock = services().clock
    return jsonify(now=clock.now().isoformat(timespec="seconds") + "Z",
                   offset_seconds=int(clock.offset.total_seconds()), movable=hasattr(clock, "move"))


@bp.route("/api/clock", methods=["GET", "POST", "DELETE"])
@csrf.exempt
def api_clock():
    """GET reads the sandbox clock; POST {"forward_seconds": n} or {"offset_seconds": n} moves it;
    DELETE returns it to real time."""
    clock = services().clock
    if request.method == "GET":
        return _clock_json()
    data = _body()
    if not hasattr(clock, "move"):
        raise BadInput("this sandbox's clock is fixed by its configuration", 409)
    if request.method == "DELETE":
        clock.move(timedelta(0))
    elif "forward_seconds" in data and "offset_seconds" not in data:
        forward = _seconds(data, "forward_seconds")
        if forward < 0:
            raise BadInput("forward_seconds must not be negative: the clock moves forward (or DELETE for real time)")
        clock.move(clock.offset + timedelta(seconds=forward))
    elif "offset_seconds" in data and "forward_seconds" not in data:
        offset = _seconds(data, "offset_seconds")
        if offset < 0:
            raise BadInput("offset_seconds must not be negative: the sandbox clock never runs behind real time")
        clock.move(timedelta(seconds=offset))
    else:
        raise BadInput('send one of {"forward_seconds": n} or {"offset_seconds": n}')
    return _clock_json()


@bp.route("/api/notifications")
def api_notifications():
    """The newest notifications (?state=queued|delivered|failed|no_url|dropped, ?limit=1..500)."""
    wanted = request.args.get("state") or None
    if wanted is not None and wanted not in NOTIFICATION_STATES:
        raise BadInput(f"state must be one of {', '.join(NOTIFICATION_STATES)}")
    limit = request.args.get("limit", "100")
    if not (limit.isascii() and limit.isdigit() and 1 <= int(limit) <= 500):
        raise BadInput("limit must be a whole number from 1 to 500")
    with services().storage.read() as conn:
        return jsonify(notifications=state.notifications(conn, wanted, int(limit)))


@bp.route("/api/notifications/<int:pk>/resend", methods=["POST"])
@csrf.exempt
def api_resend(pk: int):
    """Send one notification again now, whatever happened to it before."""
    _body()
    if not 0 < pk <= MAX_ROW_ID:
        raise BadInput(f"there is no notification #{pk}", 404)
    with services().storage.read() as conn:
        if not state.notifications_by_id(conn, pk):
            raise BadInput(f"there is no notification #{pk}", 404)
    return jsonify(id=pk, sent=bool(ipn.deliver(services(), pk, manual=True)))


@bp.route("/api/state")
def api_state():
    """Rows per table, notifications by state, the clock, and the books check: the dashboard's quick one
    (the running totals), or with ?full=1 every line, journal and fee (seconds at a million transactions)."""
    full = request.args.get("full") == "1"
    with services().storage.read() as conn:
        counts, books = state.counts(conn), (check_books if full else quick_check)(conn)
    clock = services().clock
    return jsonify(counts=counts, clock={"now": clock.now().isoformat(timespec="seconds") + "Z",
                                         "offset_seconds": int(clock.offset.total_seconds())},
                   books={"balanced": books.ok, "problems": books.problems, "full": full, "lines": books.lines})
