"""Guided lessons: each run makes a merchant and a buyer of its own, then performs its steps for real (the
Co-Branded pages for the presenter to click, signed Query-API calls through the same dispatch a client
uses) and shows each step's request, response and money, before and after."""

from __future__ import annotations

import secrets
import string
from urllib.parse import urlencode

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..domain import lesson_runs
from ..domain.lesson_runs import Run
from ..queries import lesson_money, traffic
from ..queries.accounts import callers
from ..runtime import world
from ..runtime.dispatch import CBUI_PATH, Answer, element_names, pretty, send, sign_link, verify_signature
from ..runtime.services import services
from . import diagrams
from .blueprint import bp
from .forms import ActionForm
from .lesson_plans import MONEY, PLANS, Plan, explain

def _tag() -> str:
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(6))


def _key() -> str:
    return "AKLS" + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(16))


def _accounts(plan: Plan) -> tuple[int, int]:
    """A merchant and a buyer for one run, made the way the demo world is."""
    tag = _tag()
    people = {"accounts": [
        {"key": "merchant", "name": f"{plan.merchant} · lesson {tag}", "email": f"merchant-{tag}@lesson.example",
         "kind": "business", "access_key": _key(), "secret_key": secrets.token_urlsafe(30)[:40], "balance": "0.00",
         "ipn_url": f"/merchant/ipn/lesson-{tag}"},
        {"key": f"buyer-{tag}", "name": f"{plan.buyer} ({tag})", "email": f"buyer-{tag}@lesson.example",
         "kind": "personal", "password": "sandbox", "balance": "100.00",
         "payment_methods": [{"method": "CC", "label": "Visa ending in 4242", "expiry": "12/2030"}]}]}
    with services().storage.write() as conn:
        keys = world.seed(conn, people, services().clock.now())
    return keys["merchant"], keys[f"buyer-{tag}"]


def _run(run_id: int) -> tuple[Run, Plan]:
    with services().storage.read() as conn:
        run = lesson_runs.load(conn, run_id)
    if run is None or run.lesson not in PLANS:
        abort(404)
    return run, PLANS[run.lesson]


def _caller(run: Run):
    with services().storage.read() as conn:
        return next(c for c in callers(conn) if c.id == run.caller_id)


def _money(run: Run) -> dict[str, int]:
    instrument = run.ids.get("prepaidInstrumentID") or run.ids.get("creditInstrumentID")
    with services().storage.read() as conn:
        return lesson_money.money(conn, run.caller_id, run.buyer_id, instrument)


def _signed_link(run: Run, plan: Plan, caller) -> dict:
    """The Co-Branded link the lesson's merchant signs, with every step of its signature."""
    refs = {"SetupPrepaid": ("callerReferenceFunding", "callerReferenceSender"),
            "SetupPostpaid": ("callerReferenceSender", "callerReferenceSettlement")}[plan.pipeline]
    params = {"pipelineName": plan.pipeline, "version": "2009-01-09",
              **{name: f"lesson-{run.id}-{name[15:].lower()}" for name in refs}, **plan.link,
              "returnURL": url_for("admin.lesson_return", run_id=run.id, _external=True)}
    signed, text = sign_link(caller.access_key, caller.secret_key, params, request.host)
    return {"method": "GET", "url": f"{request.host_url.rstrip('/')}{CBUI_PATH}?{urlencode(signed)}",
            "params": signed, "string_to_sign": text}


@bp.route("/lessons")
def lessons():
    """The guided lessons, and the runs so far."""
    with services().storage.read() as conn:
        runs = lesson_runs.recent(conn)
    return render_template("admin/lessons.html", plans=PLANS.values(), runs=runs, form=ActionForm())


@bp.route("/lessons/<lesson>/start", methods=["POST"])
def start_lesson(lesson: str):
    """A new run, from the beginning, in a merchant and a buyer of its own."""
    plan = PLANS.get(lesson)
    if plan is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    merchant, buyer = _accounts(plan)
    with services().storage.write() as conn:
        run = lesson_runs.create(conn, plan.name, merchant, buyer, services().clock.now())
    return redirect(url_for("admin.lesson_step", run_id=run.id, n=1, present=request.args.get("present")))


@bp.route("/lessons/run/<row:run_id>/<int:n>")
def lesson_step(run_id: int, n: int):
    """One step: what happens, and once done, the request, the response and the money."""
    run, plan = _run(run_id)
    if not 1 <= n <= len(plan.steps):
        abort(404)
    step, caller = plan.steps[n - 1], _caller(run)
    with services().storage.read() as conn:
        buyer = lesson_money.buyer_login(conn, run.buyer_id)
        talk = traffic.for_caller(conn, run.caller_id) if n == len(plan.steps) else None
    try:
        pending = len(step.calls(run.id, run.ids, run.done)) if step.calls else 0
    except KeyError:  # it uses what an earlier step makes
        pending = None
    return render_template(
        "admin/lesson.html", run=run, plan=plan, step=step, n=n, done=run.done.get(step.key), caller=caller,
        pending=pending, names={run.caller_id: caller.name, run.buyer_id: buyer.name},
        buyer=buyer, link=_signed_link(run, plan, caller) if step.kind == "cbui" else None, form=ActionForm(),
        money_names=MONEY, present=bool(request.args.get("present")),
        talk=diagrams.draw(f"Lesson run {run.id}: who talked to whom", talk, "talk") if talk else None)


@bp.route("/lessons/run/<row:run_id>/<int:n>", methods=["POST"])
def do_step(run_id: int, n: int):
    """Perform a step's calls as the lesson's merchant (once: a step already done is shown again)."""
    run, plan = _run(run_id)
    if not 1 <= n <= len(plan.steps) or not ActionForm().validate_on_submit():
        abort(400)
    step = plan.steps[n - 1]
    back = redirect(url_for("admin.lesson_step", run_id=run.id, n=n, present=request.args.get("present")))
    if step.kind != "api" or step.key in run.done:
        return back
    try:
        calls = step.calls(run.id, run.ids, run.done)
    except KeyError:
        flash("Do the steps before this one first: it uses what they made.")
        return back
    caller, before = _caller(run), _money(run)
    answers: list[Answer] = []
    for params in calls:
        answers.append(send(caller.access_key, caller.secret_key, params, origin="lesson"))
        if answers[-1].error_code:
            break
    run.done[step.key] = _record(answers, before, _money(run), step.expect_error)
    with services().storage.write() as conn:
        lesson_runs.save(conn, run)
    return back


def _record(answers: list[Answer], before: dict, after: dict, expected: str | None) -> dict:
    last = answers[-1]
    transaction_id = last.values.get("TransactionId")
    with services().storage.read() as conn:
        lines = lesson_money.lines(conn, transaction_id) if transaction_id else []
    signature = last.sent.get("Signature", "")
    return {"calls": len(answers), "error": last.error_code, "expected": last.error_code == expected,
            "message": last.error_message, "transaction_id": transaction_id, "log_pk": last.log_pk,
            "request": {"method": "POST", "url": request.host_url, "params": last.sent,
                        "string_to_sign": last.string_to_sign, "signature": signature},
            "response": {"status": last.status, "xml": pretty(last.xml),
                         "elements": {name: explain(name) for name in element_names(last.xml)}},
            "before": before, "after": after, "lines": lines}


@bp.route("/lessons/run/<row:run_id>/return")
def lesson_return(run_id: int):
    """Where the Co-Branded pages send the lesson's buyer back: verified, the ids kept, on to the next step."""
    run, plan = _run(run_id)
    n = next(i for i, s in enumerate(plan.steps, 1) if s.kind == "cbui")
    returned = request.args.to_dict()
    verified = "signature" in returned and verify_signature(request.base_url,
                                                            request.query_string.decode("utf-8", "replace"), "lesson")
    if verified and returned.get("status") in ("SA", "SB", "SC"):
        run.ids = {k: v for k, v in returned.items() if k.endswith(("ID", "Id")) and k != "RequestId"}
        run.done[plan.steps[n - 1].key] = {"returned": returned, "verified": True}
        with services().storage.write() as conn:
            lesson_runs.save(conn, run)
        return redirect(url_for("admin.lesson_step", run_id=run.id, n=n + 1))
    flash(f"The buyer came back with status {returned.get('status', 'none')}"
          + ("" if verified else " and a signature that does not verify") + ": open the pages again.")
    return redirect(url_for("admin.lesson_step", run_id=run.id, n=n))


@bp.route("/lessons/run/<row:run_id>/sequence.svg")
def lesson_sequence(run_id: int):
    run, _ = _run(run_id)
    with services().storage.read() as conn:
        talk = traffic.for_caller(conn, run.caller_id)
    return Response(diagrams.draw(f"Lesson run {run.id}: who talked to whom", talk), mimetype="image/svg+xml",
                    headers={"Content-Disposition": f'attachment; filename="lesson-{run.id}.svg"'})
