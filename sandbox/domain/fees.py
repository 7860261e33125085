"""The fee engine: a schedule of tiers per payment method, percentage + fixed, half-up to the cent.

Schedules are data (fixtures/fees/*.json). Fees are charged only where money really moves
(FundPrepaid, SettleDebt); prepaid and postpaid Pay, WriteOffDebt and reversals carry none
(fps-spec.md §9).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .money import display, parse_cents, round_cents
from .statuses import Operation

METHODS = ("ABT", "ACH", "CC")


@dataclass(frozen=True)
class Tier:
    """Applies to amounts of at least `min_cents`: fee = amount * percent / 100 + fixed."""

    min_cents: int
    percent: Decimal
    fixed_cents: int

    def describe(self) -> str:
        return f"{self.percent}% + {display(self.fixed_cents)}"


@dataclass(frozen=True)
class FeeQuote:
    """What a money movement costs: gross in, fee to FPS, net to the recipient."""

    gross_cents: int
    fee_cents: int
    net_cents: int
    paid_by: str
    rule: str


@dataclass(frozen=True)
class FeeSchedule:
    """Tiers per payment method ("*" is the fallback), who pays, and which operations pay."""

    name: str
    tiers: dict[str, tuple[Tier, ...]]
    paid_by: str = "Recipient"
    charged_on: tuple[str, ...] = Operation.COLLECTING
    description: str = ""

    def tiers_for(self, method: str) -> tuple[Tier, ...]:
        return self.tiers.get(method) or self.tiers["*"]

    def quote(self, operation: str, method: str, gross_cents: int) -> FeeQuote:
        """The fee for `gross_cents` moved by `operation` from a `method` instrument."""
        if operation not in self.charged_on:
            return FeeQuote(gross_cents, 0, gross_cents, self.paid_by, "no fee")
        tier = [t for t in self.tiers_for(method) if gross_cents >= t.min_cents][-1]
        exact = Decimal(gross_cents) / 100 * tier.percent / 100 + Decimal(tier.fixed_cents) / 100
        fee = round_cents(exact)
        return FeeQuote(gross_cents, fee, gross_cents - fee, self.paid_by, tier.describe())

    @classmethod
    def from_dict(cls, data: dict) -> FeeSchedule:
        """Build a schedule from its JSON form; raises ValueError on a malformed one."""
        tiers: dict[str, tuple[Tier, ...]] = {}
        for method, rows in data["methods"].items():
            if method != "*" and method not in METHODS:
                raise ValueError(f"unknown payment method {method!r} in fee schedule")
            parsed = sorted(
                (
                    Tier(parse_cents(r["min"]), Decimal(r["percent"]), parse_cents(r["fixed"]))
                    for r in rows
                ),
                key=lambda t: t.min_cents,
            )
            if not parsed or parsed[0].min_cents != 0:
                raise ValueError(f"tiers for {method!r} must start at 0.00")
            tiers[method] = tuple(parsed)
        if "*" not in tiers:
            raise ValueError('a fee schedule needs a "*" entry')
        return cls(
            name=data["name"],
            tiers=tiers,
            paid_by=data.get("paid_by", "Recipient"),
            charged_on=tuple(data.get("charged_on", Operation.COLLECTING)),
            description=data.get("description", ""),
        )

    @classmethod
    def load(cls, path: str | Path) -> FeeSchedule:
        return cls.from_dict(json.loads(Path(path).read_text()))
