"""The first admin console: accounts, instruments and tokens, transactions with gross / fee /
net, ledger lines, the books check, and reset to the demo world."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ..domain import errors, outcomes
from ..domain.clock import utcnow
from ..domain.ledger import check_books
from ..extensions import csrf
from ..models import Account, FpsTransaction, Instrument, LedgerEntry, StatusHistory, Token
from ..services import catch_up, services
from . import bp
from wtforms.fields.choices import SelectChoice

from .forms import ActionForm, ClockForm, FaultForm

PAGE = 50


@bp.before_request
def _catch_up():
    """Show transactions as they stand now: complete the Pending ones that are due."""
    catch_up(services())


def _session(conn) -> Session:
    return Session(bind=conn)


@bp.route("/")
def index():
    """Dashboard: accounts with balances, what each caller owes, the books check, recent activity."""
    with services().storage.read() as conn:
        s = _session(conn)
        accounts = s.scalars(select(Account).order_by(Account.id)).all()
        liability = dict(conn.execute(
            select(Instrument.recipient_id, func.sum(Instrument.balance_cents))
            .where(Instrument.kind == "Prepaid").group_by(Instrument.recipient_id)).all())
        debt = dict(conn.execute(
            select(Instrument.recipient_id, func.sum(Instrument.debt_cents))
            .where(Instrument.kind == "Credit").group_by(Instrument.recipient_id)).all())
        fees = dict(conn.execute(
            select(FpsTransaction.recipient_id, func.sum(FpsTransaction.fee_cents))
            .where(FpsTransaction.status == "Success").group_by(FpsTransaction.recipient_id)).all())
        recent = _transactions(s, None, 10)
        books = check_books(conn)
        s.close()
    from .. import snapshots

    clock = services().clock
    return render_template("admin/index.html", snapshots=snapshots.listing(snapshot_dir()), accounts=accounts, liability=liability, debt=debt, fees=fees,
                           recent=recent, books=books, reset_form=ActionForm(), clock_form=ClockForm(),
                           clock_offset=clock.offset, clock_shared=hasattr(clock, "move"))


def _transactions(s: Session, before: int | None, limit: int, **filters):
    sender, recipient = aliased(Account), aliased(Account)
    q = (select(FpsTransaction, sender.name, recipient.name)
         .join(sender, sender.id == FpsTransaction.sender_id)
         .join(recipient, recipient.id == FpsTransaction.recipient_id)
         .order_by(FpsTransaction.id.desc()).limit(limit))
    if before:
        q = q.where(FpsTransaction.id < before)
    for column, value in filters.items():
        if value is not None:
            q = q.where(getattr(FpsTransaction, column) == value)
    return s.execute(q).all()


@bp.route("/transactions")
def transactions():
    """Every transaction, newest first, with gross, fee and net; filter by operation or caller."""
    before = request.args.get("before", type=int)
    operation = request.args.get("operation") or None
    caller = request.args.get("caller", type=int)
    with services().storage.read() as conn:
        s = _session(conn)
        rows = _transactions(s, before, PAGE + 1, operation=operation, caller_id=caller)
        callers = s.execute(select(Account.id, Account.name).where(Account.access_key.is_not(None))).all()
        s.close()
    more = rows[PAGE].FpsTransaction.id + 1 if len(rows) > PAGE else None
    return render_template("admin/transactions.html", rows=rows[:PAGE], more=more, operation=operation,
                           caller=caller, callers=callers)


@bp.route("/transactions/<transaction_id>")
def transaction(transaction_id: str):
    """One transaction: its parties, status history and ledger lines."""
    with services().storage.read() as conn:
        s = _session(conn)
        txn = s.scalars(select(FpsTransaction).where(FpsTransaction.transaction_id == transaction_id)).first()
        if txn is None:
            abort(404)
        people = {a.id: a for a in s.scalars(select(Account).where(
            Account.id.in_([txn.caller_id, txn.sender_id, txn.recipient_id])))}
        history = s.scalars(select(StatusHistory).where(StatusHistory.transaction_pk == txn.id)
                            .order_by(StatusHistory.id)).all()
        lines = s.scalars(select(LedgerEntry).where(LedgerEntry.transaction_pk == txn.id)
                          .order_by(LedgerEntry.id)).all()
        instrument = s.get(Instrument, txn.instrument_pk) if txn.instrument_pk else None
        token = s.get(Token, txn.sender_token_pk) if txn.sender_token_pk else None
        parent = s.get(FpsTransaction, txn.parent_pk) if txn.parent_pk else None
        refunds = s.scalars(select(FpsTransaction).where(FpsTransaction.parent_pk == txn.id)
                            .order_by(FpsTransaction.id)).all()
        from ..models import ApiCall, Notification

        calls = conn.execute(select(ApiCall.id, ApiCall.at, ApiCall.action, ApiCall.http_status)
                             .where(ApiCall.transaction_id == txn.transaction_id).order_by(ApiCall.id)).all()
        notes = conn.execute(select(Notification.id, Notification.created_at, Notification.status, Notification.state,
                                    Notification.attempts)
                             .where(Notification.transaction_pk == txn.id).order_by(Notification.id)).all()
        s.close()
    names = {pk: a.name for pk, a in people.items()}
    return render_template("admin/transaction.html", txn=txn, people=people, history=history, lines=lines,
                           instrument=instrument, token=token, names=names, parent=parent, refunds=refunds,
                           calls=calls, notes=notes)


@bp.route("/instruments")
def instruments():
    """Prepaid instruments (limit, funding, balance) and credit instruments (limit, debt, settled,
    written off), with their tokens."""
    with services().storage.read() as conn:
        s = _session(conn)
        rows = s.scalars(select(Instrument).order_by(Instrument.id.desc()).limit(200)).all()
        totals = _credit_totals(conn, [i.id for i in rows if i.kind == "Credit"])
        names = dict(s.execute(select(Account.id, Account.name)).all())
        tokens = {}
        for t in s.scalars(select(Token).where(Token.instrument_pk.in_([i.id for i in rows]))):
            tokens.setdefault(t.instrument_pk, []).append(t)
        s.close()
    return render_template("admin/instruments.html", rows=rows, names=names, tokens=tokens, totals=totals)


def _credit_totals(conn, instrument_pks: list[int]) -> dict[tuple[int, str], int]:
    """(instrument, operation) -> total of its successful Pay, SettleDebt and WriteOffDebt transactions."""
    rows = conn.execute(
        select(FpsTransaction.instrument_pk, FpsTransaction.operation, func.sum(FpsTransaction.amount_cents))
        .where(FpsTransaction.instrument_pk.in_(instrument_pks), FpsTransaction.status == "Success")
        .group_by(FpsTransaction.instrument_pk, FpsTransaction.operation)).all()
    return {(pk, op): int(total) for pk, op, total in rows}


@bp.route("/instruments/<instrument_id>")
def instrument(instrument_id: str):
    """One instrument: its tokens, its transactions and its ledger book."""
    with services().storage.read() as conn:
        s = _session(conn)
        inst = s.scalars(select(Instrument).where(Instrument.instrument_id == instrument_id)).first()
        if inst is None:
            abort(404)
        names = dict(s.execute(select(Account.id, Account.name)).all())
        tokens = s.scalars(select(Token).where(Token.instrument_pk == inst.id).order_by(Token.id)).all()
        txns = s.scalars(select(FpsTransaction).where(FpsTransaction.instrument_pk == inst.id)
                         .order_by(FpsTransaction.id.desc()).limit(500)).all()
        totals = _credit_totals(conn, [inst.id])
        s.close()
    return render_template("admin/instrument.html", inst=inst, names=names, tokens=tokens, txns=txns,
                           totals=totals)


@bp.route("/ledger")
def ledger():
    """Every book's balance, and the newest ledger lines."""
    with services().storage.read() as conn:
        s = _session(conn)
        books = conn.execute(select(LedgerEntry.book, func.sum(LedgerEntry.amount_cents), func.count(LedgerEntry.id))
                             .group_by(LedgerEntry.book).order_by(LedgerEntry.book)).all()
        lines = s.scalars(select(LedgerEntry).order_by(LedgerEntry.id.desc()).limit(100)).all()
        names = dict(s.execute(select(Account.id, Account.name)).all())
        report = check_books(conn)
        s.close()
    return render_template("admin/ledger.html", books=books, lines=lines, names=names, report=report)


@bp.route("/reset", methods=["POST"])
def reset():
    """Throw everything away and load the demo world again (same as `flask reset`)."""
    from ..cli import _fixture
    from ..world import reset as reset_world

    if not ActionForm().validate_on_submit():
        abort(400)
    with services().storage.write() as conn:
        reset_world(conn, _fixture(), utcnow())
    flash("The sandbox is back to the demo world.")
    return redirect(url_for("admin.index"))


def _fault_form() -> FaultForm:
    from ..api.actions import REGISTRY

    form = FaultForm()
    form.action.choices = [SelectChoice("*", "any action"), *(SelectChoice(name, name) for name in sorted(REGISTRY))]
    form.error_code.choices = [SelectChoice("", "—"), *(SelectChoice(code, code) for code in sorted(errors.REGISTRY))]
    return form


def _arm(data: dict) -> int:
    """Arm a fault from form or JSON values; ValueError says what is wrong."""
    from ..api.actions import REGISTRY

    percent = data.get("percent")
    per_mille = None if percent in (None, "") else int(round(float(percent) * 10))
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
    fault_id = request.form.get("fault_id", type=int)
    with services().storage.write() as conn:
        count = outcomes.disarm(conn, fault_id)
    flash(f"Disarmed {count} fault(s).")
    return redirect(url_for("admin.faults"))


def _fault_json(row) -> dict:
    return {"id": row.id, "action": row.action, "mode": row.mode, "error_code": row.error_code,
            "remaining": row.remaining, "percent": None if row.per_mille is None else row.per_mille / 10,
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


@bp.route("/faults/<int:fault_id>.json", methods=["DELETE"])
@csrf.exempt
def fault_json(fault_id: int):
    if not request.is_json:
        return jsonify(error="send application/json"), 415
    with services().storage.write() as conn:
        return jsonify(disarmed=outcomes.disarm(conn, fault_id))


@bp.route("/requests")
def requests_log():
    """The request log, newest first: every API call and Co-Branded start; filter by action, errors, caller."""
    from ..models import ApiCall

    before = request.args.get("before", type=int)
    action = request.args.get("action") or None
    errors_only = request.args.get("errors") == "1"
    with services().storage.read() as conn:
        q = select(ApiCall.id, ApiCall.at, ApiCall.face, ApiCall.action, ApiCall.access_key, ApiCall.http_status,
                   ApiCall.error_code, ApiCall.verdict, ApiCall.duration_ms, ApiCall.transaction_id) \
            .order_by(ApiCall.id.desc()).limit(PAGE + 1)
        if before:
            q = q.where(ApiCall.id < before)
        if action:
            q = q.where(ApiCall.action == action)
        if errors_only:
            q = q.where(ApiCall.error_code.is_not(None))
        rows = conn.execute(q).all()
    more = rows[PAGE].id + 1 if len(rows) > PAGE else None
    return render_template("admin/requests.html", rows=rows[:PAGE], more=more, action=action, errors_only=errors_only)


@bp.route("/requests/<int:pk>")
def request_detail(pk: int):
    """One call: the parameters as received, the string to sign, the verdict and likely mistakes, the response."""
    import json

    from ..models import ApiCall
    from ..signature import string_to_sign_v1, string_to_sign_v2

    with services().storage.read() as conn:
        call = conn.execute(select(ApiCall.__table__).where(ApiCall.id == pk)).first()
    if call is None:
        abort(404)
    params = json.loads(call.params)
    string_to_sign = call.string_to_sign
    if string_to_sign is None and call.verdict == "ok":  # recomputed for a good signature (see models.ApiCall)
        flat = {k: v for k, v in params.items() if isinstance(v, str)}
        exclude = "signature" if call.face == "cbui" else "Signature"
        version = flat.get("signatureVersion" if call.face == "cbui" else "SignatureVersion", "2")
        string_to_sign = string_to_sign_v1(flat, exclude) if version == "1" else \
            string_to_sign_v2(call.method, call.host.lower(), call.path, flat, exclude)
    return render_template("admin/request.html", call=call, params=params, string_to_sign=string_to_sign)


@bp.route("/clock", methods=["POST"])
def clock():
    """Move the sandbox clock forward, or back to real time ("reset" in the form)."""
    from datetime import timedelta

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


def snapshot_dir():
    from pathlib import Path

    from flask import current_app

    return Path(current_app.config["FPS_SNAPSHOT_DIR"] or Path(current_app.instance_path) / "snapshots")


@bp.route("/snapshots", methods=["POST"])
def snapshot():
    """Save the whole state under a name, or restore a saved one ("restore" in the form)."""
    from .. import snapshots

    if not ActionForm().validate_on_submit():
        abort(400)
    name = (request.form.get("name") or "").strip()
    try:
        if request.form.get("restore"):
            count = snapshots.restore(services().storage, snapshot_dir(), name)
            flash(f"Restored snapshot {name!r} ({count} rows).")
        else:
            count = snapshots.save(services().storage, snapshot_dir(), name)
            flash(f"Saved snapshot {name!r} ({count} rows).")
    except ValueError as exc:
        flash(f"Not done: {exc}.")
    return redirect(url_for("admin.index"))
