"""For a class: the fee schedules with a calculator, and the fee economics lab (inputs in the URL, so a
teacher can bookmark a scenario), with its charts as SVG images."""

from __future__ import annotations

import functools
from pathlib import Path

from flask import Response, abort, render_template, request

from ..config import ROOT
from ..domain import fee_lab
from ..domain.fees import METHODS, FeeSchedule
from ..domain.money import display, parse_cents
from ..domain import history_rollups
from ..queries.accounts import callers
from ..queries.savings import saved
from ..runtime.services import services
from . import charts
from .blueprint import bp

FEES = ROOT / "fixtures" / "fees"
DEFAULTS = {"price": "0.50", "purchases": "20", "method": "CC", "per_week": "5"}


@functools.cache
def _shipped() -> dict[str, FeeSchedule]:
    """The schedules in fixtures/fees/, read once (they ship with the code)."""
    return {p.stem: FeeSchedule.load(p) for p in sorted(Path(FEES).glob("*.json"))}


def schedules() -> dict[str, FeeSchedule]:
    """Every schedule in fixtures/fees/, by name (the one in use first)."""
    found = _shipped()
    current = services().policy.fees
    return {current.name: current, **{k: v for k, v in found.items() if k != current.name}}


def _schedule(all_: dict[str, FeeSchedule]) -> FeeSchedule:
    name = request.args.get("schedule") or next(iter(all_))
    if name not in all_:
        abort(404)
    return all_[name]


@bp.route("/fees")
def fees():
    """Every tier of every schedule, and a calculator: the fee and the net on one payment."""
    all_ = schedules()
    schedule = _schedule(all_)
    amount, method, quote, problem = request.args.get("amount", "10.00"), request.args.get("method", "CC"), None, None
    if method not in METHODS:
        problem = f"Payment method must be one of {', '.join(METHODS)}."
    else:
        try:
            cents = parse_cents(amount.strip().lstrip("$"))
            if not 1 <= cents <= fee_lab.MAX_PRICE_CENTS:
                raise ValueError
            quote = schedule.quote(schedule.charged_on[0], method, cents)
        except ValueError:
            problem = f"Amount must be from $0.01 to {display(fee_lab.MAX_PRICE_CENTS)}, like 10.00."
    return render_template("admin/fees.html", schedules=all_, schedule=schedule, amount=amount, method=method,
                           quote=quote, problem=problem, methods=fee_lab.METHOD_NAMES)


def _inputs() -> tuple[dict[str, str], fee_lab.Inputs | None, str | None]:
    raw = {name: request.args.get(name, default)[:40] for name, default in DEFAULTS.items()}
    try:
        return raw, fee_lab.read_inputs(raw["price"], raw["purchases"], raw["method"], raw["per_week"]), None
    except fee_lab.LabInputError as exc:
        return raw, None, str(exc)


@bp.route("/lab")
def lab():
    """The same purchases collected four ways, with fees, fee per purchase, net and break-even."""
    all_ = schedules()
    schedule = _schedule(all_)
    raw, given, problem = _inputs()
    rows = fee_lab.scenarios(schedule, given) if given else []
    even = fee_lab.break_even(schedule, given.method, given.price_cents) if given else None
    with services().storage.read() as conn:
        sandbox = saved(conn, services().policy.fees)
    return render_template("admin/lab.html", raw=raw, given=given, problem=problem, rows=rows, even=even,
                           schedules=all_, schedule=schedule, methods=fee_lab.METHOD_NAMES, sandbox=sandbox,
                           in_use=services().policy.fees.name)


@bp.route("/lab/<chart>.svg")
def lab_chart(chart: str):
    """A chart of the lab as an SVG image: `fees-by-size` or `cumulative` (same query as the lab)."""
    schedule = _schedule(schedules())
    if chart == "fees-by-size":
        svg = charts.fee_by_size(schedule)
    elif chart == "cumulative":
        _, given, problem = _inputs()
        if given is None:
            return Response(problem, 400, mimetype="text/plain")
        svg = charts.cumulative_fees(schedule, given)
    else:
        abort(404)
    return Response(svg, mimetype="image/svg+xml", headers={"Content-Disposition": f'inline; filename="{chart}.svg"'})


@bp.route("/charts/<name>.svg")
def chart(name: str):
    """The dashboard's charts over time, from the running totals: `pays` and `money`."""
    draw = {"pays": charts.pays_per_day, "money": charts.money_per_day}.get(name)
    if draw is None:
        abort(404)
    with services().storage.read() as conn:
        days = history_rollups.days(conn)
        names = {c.id: c.name for c in callers(conn)}
    return Response(draw(days, names), mimetype="image/svg+xml")
