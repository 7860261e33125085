"""The classroom: a sandbox per student made from a roster in one step, a printable roster of their keys
and logins, and reset or delete, one sandbox or all (runtime/classroom.py does the work)."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for

from ..config import ROOT
from ..domain import coverage, money
from ..queries import classroom as classroom_queries
from ..runtime import classroom, world
from ..runtime.routing import current_name, sandboxes
from ..runtime.sandboxes import DEFAULT, Registered, UnknownSandbox
from ..runtime.services import Services
from .blueprint import bp
from .forms import ActionForm, RosterForm

MAX_UPLOAD = 256 * 1024  # a roster file: names, not a database


def _fixture() -> dict:
    return world.load_fixture(ROOT / current_app.config["FPS_FIXTURE"])


def _roster_form() -> RosterForm:
    form = RosterForm()
    form.lesson.choices = [(name, "the demo world" if name == classroom.DEMO else name)
                           for name in classroom.lessons(sandboxes().default)]
    return form


@bp.route("/classroom", methods=["GET", "POST"])
def classroom_page():
    """Every sandbox with its lesson and callers, and the form that makes more from a roster."""
    form = _roster_form()
    problems: list[str] = []
    if form.validate_on_submit():
        problems = _create(form)
        if not problems:
            return redirect(url_for("admin.classroom_page"))
    elif request.method == "POST":
        problems = [f"{form[name].label.text}: {' '.join(errs)}" for name, errs in form.errors.items()]
    boxes = sandboxes()
    rows = [(row, classroom.callers(boxes.of(row)), _student_page(row)) for row in boxes.registered()]
    return render_template("admin/classroom.html", form=form, rows=rows, problems=problems, action=ActionForm(),
                           limit=current_app.config["FPS_MAX_SANDBOXES"]), 400 if problems else 200


def _student_page(row: Registered) -> str:
    return url_for("student.page", name=row.name, key=classroom.page_key(row))


def _create(form: RosterForm) -> list[str]:
    """Make the form's sandboxes; answers what was wrong (nothing when they were made)."""
    table = ""
    upload = form.csv.data
    if upload is not None and getattr(upload, "filename", ""):
        raw = upload.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            return [f"the CSV file is larger than {MAX_UPLOAD // 1024} KiB"]
        table = raw.decode("utf-8-sig", "replace")
    try:
        made = classroom.create(sandboxes(), classroom.parse_roster(form.names.data or "", table), form.lesson.data,
                                _fixture(),
                                current_app.config["FPS_MAX_SANDBOXES"], (form.seed.data or "").strip() or None)
    except classroom.RosterError as exc:
        return exc.problems
    flash(f"Created {len(made)} sandbox(es): {', '.join(row.name for row in made)}. The roster below has their "
          "keys.")
    return []


@bp.route("/classroom/roster")
def roster():
    """The printable roster: per sandbox its callers' keys and secrets, the buyer logins and the URLs."""
    boxes = sandboxes()
    only = request.args.get("only")
    rows = [row for row in boxes.registered() if only in (None, "", row.name)]
    if only and not rows:
        abort(404)
    logins = {acc["email"].lower(): acc["password"] for acc in _fixture()["accounts"] if acc.get("password")}
    sheets = [(row, classroom.callers(boxes.of(row)), classroom.buyers(boxes.of(row)), _student_page(row))
              for row in rows]
    return render_template("admin/roster.html", sheets=sheets, logins=logins, base=request.host_url.rstrip("/"))


@bp.route("/classroom/<name>/reset", methods=["POST"])
def classroom_reset(name: str):
    """Load one sandbox (or every one, for "*") again from its lesson; its keys stay the same."""
    return _confirmed(name, "Reset", "reset", "Load {} again from its lesson? Everything done in it since is thrown "
                      "away; its keys stay the same and its snapshots are kept.", _reset)


@bp.route("/classroom/<name>/delete", methods=["POST"])
def classroom_delete(name: str):
    """Delete one sandbox (or every one, for "*") with everything in it; its keys stop working."""
    return _confirmed(name, "Delete", "delete", "Delete {} with everything in it? Its keys stop working at once and "
                      "this cannot be undone.", _delete)


def _confirmed(name: str, action: str, verb: str, what: str, do):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    names = [row.name for row in sandboxes().registered()] if name == "*" else [name]
    label = "every sandbox of the class" if name == "*" else f"the sandbox {name!r}"
    if request.form.get("confirmed") != "yes":
        return render_template("admin/confirm.html", form=form, action=action, verb=f"{verb} {label}", detail=None,
                               back=url_for("admin.classroom_page"), what=what.format(label),
                               note="The default sandbox is not touched.")
    try:
        done = [do(each) for each in names]
    except UnknownSandbox:
        abort(404)
    except (classroom.RosterError, ValueError) as exc:
        flash(f"Not done: {exc}.")
        return redirect(url_for("admin.classroom_page"))
    flash(f"{action}: {', '.join(done) or 'no sandbox'}.")
    return redirect(url_for("admin.classroom_page"))


def _reset(name: str) -> str:
    if name == "default":
        raise ValueError("the default sandbox is reset from its dashboard")
    lesson, _ = classroom.reset(sandboxes(), name, _fixture())
    return f"{name} (back to {lesson})"


def _delete(name: str) -> str:
    if not classroom.delete_sandbox(sandboxes(), name):
        raise UnknownSandbox(name)
    return name


@bp.route("/classroom/overview")
def classroom_overview():
    """The instructor's view: a row per sandbox with its client's requests, errors, last activity,
    transactions, fees, books check and error-handling coverage."""
    return render_template("admin/overview.html", rows=_overview(), checklist=coverage.CHECKLIST)


@bp.route("/api/classroom")
def classroom_json():
    """The overview as JSON, for a script (the 30-sandbox bench checks every sandbox's books with it)."""
    return jsonify({"sandboxes": [
        {"name": row.name, "title": row.title, "lesson": row.lesson, "requests": a.requests, "errors": a.errors,
         "last_activity": a.last_at.isoformat() + "Z" if a.last_at else None, "transactions": a.transactions,
         "fees": money.plain(a.fees_cents), "books_balance": a.books_ok, "books_problems": list(a.books_problems),
         "coverage": {"met": a.coverage.count, "of": a.coverage.total,
                      "unmet": [f"{i.group}: {i.name}" for i in a.coverage.unmet()]}}
        for row, a in _overview()]})


@bp.route("/classroom/<name>/coverage")
def classroom_coverage(name: str):
    """One sandbox's checklist: what its client has met, and how to meet the rest ("default" too)."""
    if name == DEFAULT:
        return _coverage(sandboxes().default, "the default sandbox")
    row = sandboxes().find(name)
    if row is None:
        abort(404)
    return _coverage(sandboxes().of(row), row.title)


@bp.route("/coverage")
def coverage_here():
    """The coverage checklist of the sandbox the console is in."""
    return classroom_coverage(current_name())


def _coverage(svc: Services, title: str):
    with svc.storage.read() as conn:
        found = coverage.measure(conn)
    return render_template("admin/coverage.html", name=svc.name, title=title, coverage=found,
                           checklist=coverage.CHECKLIST)


def _overview() -> list[tuple]:
    boxes = sandboxes()
    rows = []
    for row in boxes.registered():
        with boxes.of(row).storage.read() as conn:
            rows.append((row, classroom_queries.activity(conn)))
    return rows
