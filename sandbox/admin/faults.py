"""Faults: arm and disarm forced failures from the console or over JSON (domain/outcomes.py)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from ..api.actions import REGISTRY
from ..domain import errors, outcomes
from ..extensions import csrf
from ..runtime.services import services
from ..urls import MAX_ROW_ID
from .blueprint import bp
from .forms import ActionForm, FaultForm


def _fault_form() -> FaultForm:
    form = FaultForm()
    form.action.choices = [SelectChoice("*", "any action"), *(SelectChoice(name, name) for name in sorted(REGISTRY))]
    form.error_code.choices = [SelectChoice("", "—"), *(SelectChoice(code, code) for code in sorted(errors.REGISTRY))]
    return form


def _per_mille(percent) -> int:
    """A share in percent (one decimal) as thousandths, exactly; ValueError for anything else."""
    try:
        value = Decimal(str(percent))
    except InvalidOperation:
        raise ValueError(f"percent must be a number, not {str(percent)[:20]!r}") from None
    if not value.is_finite():
        raise ValueError("percent must be a number from 0.1 to 100")
    return int((value * 10).to_integral_value(ROUND_HALF_UP))


def _arm(data: dict) -> int:
    """Arm a fault from form or JSON values; ValueError says what is wrong."""
    percent = data.get("percent")
    per_mille = None if percent in (None, "") else _per_mille(percent)
    count = data.get("count")
    with services().storage.write() as conn:
        return outcomes.arm(conn, action=data.get("action") or "*", mode=data.get("mode") or "error",
                            error_code=data.get("error_code") or None, count=None if count in (None, "") else int(count),
                            per_mille=per_mille, delay_ms=int(data.get("delay_ms") or 0), now=services().clock.now(),
                            known_actions=REGISTRY)


@bp.route("/faults", methods=["GET", "POST"])
def faults():
    """Armed faults: what the next calls of an action will do instead of succeeding."""
    form = _fault_form()
    if request.method == "GET":  # a link from the codes page names the code to arm
        form.error_code.data = request.args.get("error_code") if request.args.get("error_code") in errors.REGISTRY \
            else ""
    if form.validate_on_submit():
        try:
            fault_id = _arm({name: field.data for name, field in form._fields.items()})
            flash(f"Armed fault #{fault_id}.")
            return redirect(url_for("admin.faults"))
        except ValueError as exc:
            flash(f"Not armed: {exc}.")
    with services().storage.read() as conn:
        rows = outcomes.listing(conn)
    return render_template("admin/faults.html", form=form, rows=rows, disarm_form=ActionForm())


@bp.route("/faults/disarm", methods=["POST"])
def disarm():
    """Disarm one fault (fault_id in the form) or all of them."""
    if not ActionForm().validate_on_submit():
        abort(400)
    fault_id = None
    if "fault_id" in request.form:  # one fault; without it, all of them
        fault_id = request.form.get("fault_id", type=int)
        if fault_id is None or not 0 < fault_id <= MAX_ROW_ID:
            flash("Not disarmed: there is no such fault.")
            return redirect(url_for("admin.faults"))
    with services().storage.write() as conn:
        count = outcomes.disarm(conn, fault_id)
    flash(f"Disarmed {count} fault(s).")
    return redirect(url_for("admin.faults"))


def _fault_json(row) -> dict:
    return {"id": row.id, "action": row.action, "mode": row.mode, "error_code": row.error_code,
            "remaining": row.remaining,
            "percent": None if row.per_mille is None else float(Decimal(row.per_mille) / 10),  # JSON has numbers only
            "delay_ms": row.delay_ms, "hits": row.hits}


@bp.route("/faults.json", methods=["GET", "POST", "DELETE"])
@csrf.exempt  # JSON only: a browser cannot send it cross-site without asking first
def faults_json():
    """For tests and scripts: GET lists, POST arms (JSON body), DELETE disarms all."""
    if request.method == "GET":
        with services().storage.read() as conn:
            return jsonify(faults=[_fault_json(r) for r in outcomes.listing(conn)])
    if not request.is_json:
        return jsonify(error="send application/json"), 415
    if request.method == "DELETE":
        with services().storage.write() as conn:
            return jsonify(disarmed=outcomes.disarm(conn))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify(error="the body must be a JSON object"), 400
    try:
        return jsonify(id=_arm(data)), 201
    except (ValueError, TypeError) as exc:
        return jsonify(error=str(exc)), 400


@bp.route("/faults/<row:fault_id>.json", methods=["DELETE"])
@csrf.exempt
def fault_json(fault_id: int):
    if not request.is_json:
        return jsonify(error="send application/json"), 415
    with services().storage.write() as conn:
        return jsonify(disarmed=outcomes.disarm(conn, fault_id))
