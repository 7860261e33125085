"""The teaching charts, drawn as SVG on the server by pygal (nothing is fetched: `js=[]` drops the
tooltip script pygal would otherwise load from its CDN). Served as images with text alternatives."""

from __future__ import annotations

from decimal import Decimal

import pygal
from pygal.style import Style

from ..domain import fee_lab
from ..domain.fees import METHODS, FeeSchedule
from ..domain.statuses import Operation

COLLECTING = Operation.COLLECTING

STYLE = Style(background="white", plot_background="white", foreground="#1d2530", foreground_strong="#1d2530",
              foreground_subtle="#5b6673", font_family="system-ui, sans-serif", label_font_size=14,
              major_label_font_size=14, legend_font_size=14, title_font_size=18,
              colors=("#146eb4", "#b3261e", "#1c7c3c", "#8a5a00"))
SIZES = [*range(1, 100, 4), *range(100, 2001, 25)]  # cents: fine steps under a dollar, the tier steps up to $20


def _chart(kind, title: str, x_title: str, y_title: str):
    return kind(js=[], disable_xml_declaration=True, style=STYLE, title=title, x_title=x_title, y_title=y_title,
                width=900, height=480, show_dots=False, stroke_style={"width": 3}, legend_at_bottom=True,
                truncate_legend=-1)


def dollars(cents: int) -> float:
    """For the chart's axes only (an SVG coordinate, never money that is kept or added)."""
    return float(Decimal(cents) / 100)


def fee_by_size(schedule: FeeSchedule) -> str:
    """Fee against the size of one payment, for each payment method: the tiers show as steps."""
    chart = _chart(pygal.XY, f"Fee on one payment ({schedule.name})", "payment ($)", "fee ($)")
    alike = len({schedule.tiers_for(method) for method in METHODS}) == 1  # one line, not three drawn over each other
    for method in METHODS[:1] if alike else METHODS:
        fees = fee_lab.fee_curve(schedule, method, SIZES)
        name = "every payment method" if alike else fee_lab.METHOD_NAMES[method]
        chart.add(name, [(dollars(a), dollars(f)) for a, f in zip(SIZES, fees, strict=True)])
    return chart.render(is_unicode=True)


def cumulative_fees(schedule: FeeSchedule, given: fee_lab.Inputs) -> str:
    """Fees paid after each purchase: one payment each, against one prepaid funding up front."""
    one_by_one, upfront = fee_lab.cumulative(schedule, given)
    step = max(1, len(one_by_one) // 200)  # at most ~200 points a line, the last purchase always among them
    shown = sorted({*range(0, len(one_by_one), step), len(one_by_one) - 1})
    chart = _chart(pygal.XY, "Fees paid as purchases add up", "purchases", "fees paid ($)")
    chart.add("each purchase its own payment", [(k + 1, dollars(one_by_one[k])) for k in shown])
    chart.add("one prepaid funding up front", [(k + 1, dollars(upfront[k])) for k in shown])
    return chart.render(is_unicode=True)


def _busiest(days: dict, names: dict[int, str], most: int = 6) -> list[int]:
    pays = {pk: sum(f["Pay"].count for f in by_day.values() if "Pay" in f) for pk, by_day in days.items()}
    return [pk for pk in sorted(days, key=lambda pk: -pays[pk]) if pk in names][:most]


def _days(days: dict, callers: list[int]) -> list[str]:
    return sorted({day for pk in callers for day in days[pk]})[-31:]  # the last month with activity


def pays_per_day(days: dict, names: dict[int, str]) -> str:
    """Pays per day, one series per caller (the busiest six)."""
    callers = _busiest(days, names)
    labels = _days(days, callers)
    chart = _chart(pygal.Bar, "Pays per day", "day (UTC)", "Pays")
    chart.x_labels = labels
    for pk in callers:
        chart.add(names[pk], [days[pk][d]["Pay"].count if "Pay" in days[pk].get(d, {}) else 0 for d in labels])
    return chart.render(is_unicode=True)


def money_per_day(days: dict, names: dict[int, str]) -> str:
    """Money moved (fundings and settlements) and fees per day, per caller (the busiest six)."""
    callers = _busiest(days, names)
    labels = _days(days, callers)
    chart = _chart(pygal.Line, "Money moved and fees per day", "day (UTC)", "$")
    chart.x_labels = labels
    chart.show_dots = True
    for pk in callers:
        moved = [sum(days[pk].get(d, {})[op].amount_cents for op in COLLECTING if op in days[pk].get(d, {}))
                 for d in labels]
        fees = [sum(f.fee_cents for f in days[pk].get(d, {}).values()) for d in labels]
        chart.add(f"{names[pk]}: money moved", [dollars(c) for c in moved])
        chart.add(f"{names[pk]}: fees", [dollars(c) for c in fees])
    return chart.render(is_unicode=True)
