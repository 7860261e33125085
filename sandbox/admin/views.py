"""The console's dashboard and its controls: reset, the sandbox clock, snapshots."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from ..config import ROOT
from ..queries.dashboard import dashboard
from ..runtime import classroom, snapshots, world
from ..runtime.routing import sandboxes
from ..runtime.services import catch_up, services
from .blueprint import bp
from .forms import ActionForm, ClockForm


@bp.before_request
def _bring_up_to_date():
    """Show everything as it stands now: the clock as another process may just have moved it, the
    Pending transactions that are due completed, this process's buffered request log written down
    (other processes' follows within a second)."""
    svc = services()
    if hasattr(svc.clock, "refresh"):
        svc.clock.refresh()
    catch_up(svc)
    svc.request_log.flush()


@bp.route("/")
def index():
    """Dashboard: per caller its figures (Pays, money moved, fees, liability, debt), the books
    check, recent activity, and the controls."""
    with services().storage.read() as conn:
        board = dashboard(conn, services().policy.fees)
    clock = services().clock
    return render_template("admin/index.html", snapshots=snapshots.listing(services().storage),
                           shipped=snapshots.shipped(),
                           **vars(board), reset_form=ActionForm(),
                           clock_form=ClockForm(), clock_offset=clock.offset, clock_shared=hasattr(clock, "move"))


@bp.route("/reset", methods=["POST"])
def reset():
    """Throw everything away and load the demo world again (same as `flask reset`)."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if request.form.get("confirmed") != "yes":
        return render_template("admin/confirm.html", form=form, action="Reset", verb="reset to the demo world",
                               detail=None, back=url_for("admin.index"), hidden={"submit": "reset"},
                               what="Throw away every instrument, token, transaction, notification and request, and "
                                    "load its lesson (the demo world) again? Saved snapshots are kept.",
                               note="Save a snapshot first if you may want today's state back.")
    try:
        lesson, _ = classroom.reset(sandboxes(), services().name,
                                    world.load_fixture(ROOT / current_app.config["FPS_FIXTURE"]))
    except classroom.RosterError as exc:
        flash(f"Not done: {exc}.")
        return redirect(url_for("admin.index"))
    flash("The sandbox is back to the demo world." if lesson == classroom.DEMO else
          f"The sandbox is back to its lesson {lesson!r}.")
    return redirect(url_for("admin.index"))


@bp.route("/clock", methods=["POST"])
def clock():
    """Move the sandbox clock forward, or back to real time ("reset" in the form)."""
    svc = services()
    if not hasattr(svc.clock, "move"):
        abort(409)
    if request.form.get("reset"):
        if not ActionForm().validate_on_submit():
            abort(400)
        svc.clock.move(timedelta(0))
        flash("The sandbox clock is back to real time.")
        return redirect(url_for("admin.index"))
    form = ClockForm()
    if not form.validate_on_submit():
        flash("Not moved: give a whole number of minutes, hours or days (1 to 10,000).")
        return redirect(url_for("admin.index"))
    step = timedelta(**{form.unit.data: form.amount.data})
    svc.clock.move(svc.clock.offset + step)
    flash(f"Moved the sandbox clock forward by {form.amount.data} {form.unit.data}.")
    return redirect(url_for("admin.index"))


@bp.route("/snapshots", methods=["POST"])
def snapshot():
    """Save the whole state under a name, or restore a saved one ("restore" in the form)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    name = (request.form.get("name") or "").strip()
    if request.form.get("restore") and request.form.get("confirmed") != "yes":
        return render_template("admin/confirm.html", form=ActionForm(), action="Restore", verb=f"restore {name!r}",
                               detail=None, back=url_for("admin.index"), hidden={"name": name, "restore": "1"},
                               what=f"Replace everything in the sandbox with the snapshot {name!r}? What is here now "
                                    "is thrown away.", note="Save a snapshot first if you may want today's state back.")
    try:
        if request.form.get("restore"):
            restored = snapshots.restore(services().storage, name)
            flash(f"Restored snapshot {name!r} ({restored.rows} rows"
                  + (f", upgraded from schema {restored.upgraded_from})." if restored.upgraded_from else ")."))
        else:
            count = snapshots.save(services().storage, name)
            flash(f"Saved snapshot {name!r} ({count} rows).")
    except ValueError as exc:
        flash(f"Not done: {exc}.")
    return redirect(url_for("admin.index"))
