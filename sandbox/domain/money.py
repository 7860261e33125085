"""Exact money: parse FPS amount strings, hold integer cents, render FPS formats.

The one rounding rule of the sandbox (half-up to the cent) lives here and nowhere else.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CURRENCIES = ("USD",)
CENT = Decimal("0.01")
_AMOUNT_RE = re.compile(r"[0-9]{1,9}(\.[0-9]{1,2})?")


class MoneyFormatError(ValueError):
    """An amount string that is not a plain decimal with at most two decimals."""


def parse_cents(text: str) -> int:
    """Parse an FPS request amount ("12.99", "10", "0.5") into integer cents.

    Rejects signs, exponents, whitespace, more than two decimals and absurd lengths.
    """
    if not isinstance(text, str) or not _AMOUNT_RE.fullmatch(text):
        raise MoneyFormatError(text)
    try:
        value = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex already excludes this
        raise MoneyFormatError(text) from exc
    return int(value * 100)


def round_cents(value: Decimal) -> int:
    """Round a Decimal amount of dollars half-up to whole cents."""
    return int(value.quantize(CENT, rounding=ROUND_HALF_UP) * 100)


def to_decimal(cents: int) -> Decimal:
    """Integer cents as a Decimal of dollars with two places."""
    return (Decimal(cents) / 100).quantize(CENT)


def fps_value(cents: int) -> str:
    """Render cents as FPS response values do: six decimals ("9.700000", "-0.100000"); in integers (a balance
    answer has two of them, and a Decimal's division and formatting cost more than the rest of each)."""
    dollars, rest = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{dollars}.{rest:02d}0000"


def plain(cents: int) -> str:
    """Render cents as a human amount with two decimals ("9.70")."""
    return f"{to_decimal(cents)}"


def display(cents: int, currency: str = "USD") -> str:
    """Render cents for people ("$9.70", "-$0.30")."""
    sign = "-" if cents < 0 else ""
    symbol = "$" if currency == "USD" else currency + " "
    return f"{sign}{symbol}{to_decimal(abs(cents)):,}"
