"""The fee economics lab: what the same purchases cost in fees charged one by one, or aggregated.

Every figure comes from the fee engine the API charges with (fees.py): a purchase charged as its own
payment is one money movement; a prepaid funding or a settlement is one movement for many purchases;
the Pays in between move no money and carry no fee (fps-spec.md §9).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .fees import METHODS, FeeSchedule
from .money import display, parse_cents

MAX_PURCHASES = 10_000
MAX_PRICE_CENTS = 1_000_000  # $10,000.00, the API's largest amount
METHOD_NAMES = {"CC": "credit card", "ACH": "bank account", "ABT": "Amazon Payments balance"}


class LabInputError(ValueError):
    """An input the lab cannot use; the message names it and says what it takes."""


@dataclass(frozen=True)
class Inputs:
    price_cents: int
    purchases: int
    method: str
    per_week: int  # purchases a week, for the weekly settlement


def read_inputs(price: str, purchases: str, method: str, per_week: str) -> Inputs:
    """The lab's inputs from text (a URL's query); LabInputError says which one is wrong and why."""
    try:
        price_cents = parse_cents(price.strip().lstrip("$"))
    except (ValueError, AttributeError):
        raise LabInputError(f"Price per purchase must be an amount like 0.50, not {price[:20]!r}.") from None
    if not 1 <= price_cents <= MAX_PRICE_CENTS:
        raise LabInputError(f"Price per purchase must be from $0.01 to {display(MAX_PRICE_CENTS)}.")
    count = _whole(purchases, "Purchases per buyer", MAX_PURCHASES)
    weekly = _whole(per_week, "Purchases a week", MAX_PURCHASES)
    if method not in METHODS:
        raise LabInputError(f"Payment method must be one of {', '.join(METHODS)}.")
    return Inputs(price_cents, count, method, weekly)


def _whole(text: str, name: str, most: int) -> int:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise LabInputError(f"{name} must be a whole number from 1 to {most:,}, not {text[:20]!r}.") from None
    if not value.is_finite() or value != value.to_integral_value() or not 1 <= value <= most:
        raise LabInputError(f"{name} must be a whole number from 1 to {most:,}.")
    return int(value)


@dataclass(frozen=True)
class Scenario:
    """One way of collecting the same purchases."""

    name: str
    movements: int  # money movements (each one charged a fee)
    moved_cents: int
    fee_cents: int
    purchases: int

    @property
    def net_cents(self) -> int:
        return self.moved_cents - self.fee_cents

    @property
    def fee_per_purchase(self) -> str:
        """The fee share of one purchase in cents, two decimals ("1.50¢")."""
        share = Decimal(self.fee_cents) / self.purchases
        return f"{share.quantize(Decimal('0.01'))}¢"

    @property
    def fee_percent(self) -> str:
        if not self.moved_cents:
            return "0.00%"
        return f"{(Decimal(self.fee_cents) * 100 / self.moved_cents).quantize(Decimal('0.01'))}%"


def movement_fee(schedule: FeeSchedule, method: str, cents: int) -> int:
    """The fee on one money movement of `cents` from a `method` instrument."""
    return schedule.quote(schedule.charged_on[0], method, cents).fee_cents


def scenarios(schedule: FeeSchedule, given: Inputs) -> list[Scenario]:
    """Per payment, one prepaid funding, postpaid settled once, postpaid settled weekly."""
    price, n = given.price_cents, given.purchases
    total = price * n
    one_by_one = Scenario("Each purchase charged as its own payment", n, total,
                          movement_fee(schedule, given.method, price) * n, n)
    prepaid = Scenario("One prepaid funding, then Pays", 1, total, movement_fee(schedule, given.method, total), n)
    settled = Scenario("Postpaid Pays, settled once", 1, total, movement_fee(schedule, given.method, total), n)
    weeks, rest = divmod(n, given.per_week)
    weekly_fee = weeks * movement_fee(schedule, given.method, price * given.per_week)
    if rest:
        weekly_fee += movement_fee(schedule, given.method, price * rest)
    weekly = Scenario(f"Postpaid Pays, settled weekly ({given.per_week} a week)", weeks + bool(rest), total,
                      weekly_fee, n)
    return [one_by_one, prepaid, settled, weekly]


def break_even(schedule: FeeSchedule, method: str, price_cents: int, most: int = MAX_PURCHASES) -> int | None:
    """The fewest purchases for which one aggregated movement costs less in fees than charging each on its own
    (None if it never does within `most`)."""
    single = movement_fee(schedule, method, price_cents)
    for k in range(1, most + 1):
        if price_cents * k > MAX_PRICE_CENTS:  # no payment that large can be made
            return None
        if movement_fee(schedule, method, price_cents * k) < single * k:
            return k
    return None


def fee_curve(schedule: FeeSchedule, method: str, amounts: list[int]) -> list[int]:
    """The fee on one movement of each amount (for a chart of fee against payment size)."""
    return [movement_fee(schedule, method, cents) for cents in amounts]


def cumulative(schedule: FeeSchedule, given: Inputs) -> tuple[list[int], list[int]]:
    """Fees paid after each purchase: charged one by one, and with one prepaid funding made up front."""
    single = movement_fee(schedule, given.method, given.price_cents)
    upfront = movement_fee(schedule, given.method, given.price_cents * given.purchases)
    return [single * k for k in range(1, given.purchases + 1)], [upfront] * given.purchases
